/// Units that can join a neighbour only once a neighbour of theirs has joined: a sliver that
/// touches a part only through other slivers, a face that touches a micro-grid only through
/// other orphan faces, a unit growth left behind another it left. Every stage that places such
/// units offers them in passes, in the same order each pass, until none is left.
enum Attach {
    /// Offers each of `pending`, in order, to `join`, which answers whether it joined; then
    /// offers those left again, until all have joined or a pass joins none.
    /// Returns those no pass could join, in order.
    static func inPasses(_ pending: [Int], join: (Int) -> Bool) -> [Int] {
        var pending = pending
        while !pending.isEmpty {
            var still: [Int] = []
            for unit in pending where !join(unit) { still.append(unit) }
            if still.count == pending.count { break }
            pending = still
        }
        return pending
    }

    /// Puts each of `pending` in the group `choose` picks for it (nil while it touches none,
    /// given `groupOf`), in passes, keeping `groups` and `groupOf` up to date; those no group
    /// ever reaches go to the first group.
    static func inPasses(_ pending: [Int], into groups: inout [[Int]], groupOf: inout [Int: Int],
                         choose: (_ unit: Int, _ groupOf: [Int: Int]) -> Int?) {
        groups[0] += inPasses(pending) { unit in
            guard let group = choose(unit, groupOf) else { return false }
            groups[group].append(unit)
            groupOf[unit] = group
            return true
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
