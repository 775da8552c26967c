/// Units that can join a neighbour only once a neighbour of theirs has joined: a sliver that
/// touches a part only through other slivers, a face that touches a micro-grid only through
/// other orphan faces, a unit growth left behind another it left. Every stage that places such
/// units offers them in passes, in the same order each pass, until none is left.
enum Attach {
    /// Offers each of `pending`, in order, to `join`, which answers whether it joined; then
    /// offers those left again, until all have joined. When a pass joins none, `stuck` gets
    /// those left and returns those still to offer (none ends the passes).
    static func inPasses(_ pending: [Int], join: (Int) -> Bool, stuck: ([Int]) -> [Int]) {
        var pending = pending
        while !pending.isEmpty {
            var still: [Int] = []
            for unit in pending where !join(unit) { still.append(unit) }
            pending = still.count == pending.count ? stuck(still) : still
        }
    }
}

extension CommunityTessellation {
    /// The part (by `partOf`: nil for faces of none) that shares the most boundary with
    /// `faces`, ties to the lower part; nil when they touch none.
    func partSharingMostBoundary(with faces: [Int], partOf: (Int) -> Int?) -> Int? {
        var shared: [Int: Double] = [:]
        for f in faces {
            for edge in edges[f] { if let part = partOf(edge.face) { shared[part, default: 0] += edge.length } }
        }
        return shared.max { a, b in (a.value, -a.key) < (b.value, -b.key) }?.key
    }
}
