extension CommunityPartitioner {
    /// Gives faces of a grid that belong to none of its micro-grids (a detached part of a cell,
    /// joined to the grid by `joinDetachedParts`) to the micro-grid they share the longest
    /// boundary with, those touching one first; faces touching none go to the first micro-grid.
    static func attachOrphans(_ orphans: [Int], to microFaces: inout [[Int]], tessellation: CommunityTessellation) {
        guard !orphans.isEmpty, !microFaces.isEmpty else { return }
        var microOf: [Int: Int] = [:]
        for (m, members) in microFaces.enumerated() { for f in members { microOf[f] = m } }
        // A face may touch the micro-grids only through other orphans: passes until none is left.
        Attach.inPasses(orphans, into: &microFaces, groupOf: &microOf) { f, microOf in
            tessellation.partSharingMostBoundary(with: [f]) { microOf[$0] }
        }
        for m in microFaces.indices { microFaces[m].sort() }
    }
}
