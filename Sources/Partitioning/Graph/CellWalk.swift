/// The one walk over adjacency that every stage of the partition uses: faces of a block,
/// pieces of a grid, regions of the balancer, grids of a re-partition are integer nodes, and
/// whether they hold together is asked by walking from one to its neighbours.
enum CellWalk {
    /// Lists a node's neighbours into a buffer (emptied before each call).
    typealias Neighbours = (_ node: Int, _ into: inout [Int]) -> Void

    /// The nodes reachable from `start` (itself first, then depth first) through nodes that
    /// `admit` lets in, marking each in `seen`; the walk ends early at the first node reached
    /// for which `stop` is true.
    static func reach(from start: Int, seen: inout Set<Int>, admit: (Int) -> Bool = { _ in true },
                      stop: ((Int) -> Bool)? = nil, neighbours: Neighbours) -> [Int] {
        var reached = [start]
        seen.insert(start)
        if stop?(start) == true { return reached }
        var stack = [start]
        var buffer: [Int] = []
        while let node = stack.popLast() {
            buffer.removeAll(keepingCapacity: true)
            neighbours(node, &buffer)
            for next in buffer where admit(next) && seen.insert(next).inserted {
                reached.append(next)
                if stop?(next) == true { return reached }
                stack.append(next)
            }
        }
        return reached
    }

    /// The connected parts of `members`, each sorted, in the order of their first node in
    /// `members`; only members are followed.
    static func components(of members: [Int], neighbours: Neighbours) -> [[Int]] {
        let inSet = Set(members)
        var seen: Set<Int> = []
        var result: [[Int]] = []
        for start in members where !seen.contains(start) {
            result.append(reach(from: start, seen: &seen, admit: inSet.contains, neighbours: neighbours).sorted())
        }
        return result
    }
}
