extension CommunityPartitioner {
    /// Gives faces of a grid that belong to none of its micro-grids (a detached part of a cell,
    /// joined to the grid by `joinDetachedParts`) to the micro-grid they share the longest
    /// boundary with, those touching one first; faces touching none go to the first micro-grid.
    static func attachOrphans(_ orphans: [Int], to microFaces: inout [[Int]], tessellation: CommunityTessellation) {
        guard !orphans.isEmpty, !microFaces.isEmpty else { return }
        var microOf: [Int: Int] = [:]
        for (m, members) in microFaces.enumerated() { for f in members { microOf[f] = m } }
        var pending = orphans
        while !pending.isEmpty {
            var still: [Int] = []
            for f in pending {
                var shared: [Int: Double] = [:]
                for edge in tessellation.edges[f] { if let m = microOf[edge.face] { shared[m, default: 0] += edge.length } }
                guard let best = shared.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key else {
                    still.append(f)
                    continue
                }
                microFaces[best].append(f)
                microOf[f] = best
            }
            if still.count == pending.count {
                microFaces[0] += still
                break
            }
            pending = still
        }
        for m in microFaces.indices { microFaces[m].sort() }
    }
}
