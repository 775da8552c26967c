/// The search behind `RegionBalancer.exhaustiveSearch`: every cut of a small graph into
/// connected regions within the bounds, keeping the one with the shortest boundary between
/// its regions. Sets of nodes are bits of a `UInt32` (node `i` is bit `i`), so that growing a
/// region, taking its frontier and weighing it are a few machine operations each.
///
/// Regions are found in order of their lowest node; each region is grown as a connected set by
/// deciding, node by node along its frontier, whether it joins. A branch ends as soon as what is
/// left cannot be divided within the bounds.
struct ExhaustiveCutSearch {
    let weight: [Int]
    let bounds: HouseholdBounds
    /// Steps after which the search gives up (a step is one decision on one node).
    let limit: Int
    /// The neighbours of each node, as a set.
    let adjacent: [UInt32]
    /// The boundary each pair of nodes shares.
    let cutLength: [[Double]]

    private(set) var steps = 0
    /// The best cut so far, with the length of boundary between its regions.
    private(set) var best: (regions: [UInt32], cut: Double)?
    /// The regions of the cut being built.
    private var chosen: [UInt32] = []

    /// A search of `graph` (at most 32 nodes) within `bounds`, giving up after `limit` steps.
    init(graph: CellGraph, bounds: HouseholdBounds, steps limit: Int) {
        let n = graph.count
        var adjacent = [UInt32](repeating: 0, count: n)
        for node in 0..<n { for edge in graph.neighbours[node] where edge.node != node { adjacent[node] |= 1 << UInt32(edge.node) } }
        var cutLength = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for node in 0..<n { for edge in graph.neighbours[node] { cutLength[node][edge.node] += edge.length } }
        self.weight = graph.weight
        self.bounds = bounds
        self.limit = limit
        self.adjacent = adjacent
        self.cutLength = cutLength
    }

    /// Households of the nodes in `set`.
    func weightOf(_ set: UInt32) -> Int {
        var total = 0, rest = set
        while rest != 0 { total += weight[rest.trailingZeroBitCount]; rest &= rest - 1 }
        return total
    }

    /// Whether every connected part of `set` holds households some number of regions divides within the bounds.
    func divisible(_ set: UInt32) -> Bool {
        var rest = set
        while rest != 0 {
            var part: UInt32 = rest & (~rest + 1), frontier = part
            while frontier != 0 {
                var grown: UInt32 = 0, f = frontier
                while f != 0 { grown |= adjacent[f.trailingZeroBitCount]; f &= f - 1 }
                frontier = grown & rest & ~part
                part |= frontier
            }
            let w = weightOf(part)
            if w == 0 || !CommunityPartitioner.divisible(w, bounds) { return false }
            rest &= ~part
        }
        return true
    }

    /// The length of boundary between the regions of a cut.
    func cut(_ regions: [UInt32]) -> Double {
        var total = 0.0
        for (i, region) in regions.enumerated() {
            for other in regions[(i + 1)...] {
                var a = region
                while a != 0 {
                    let u = a.trailingZeroBitCount
                    var b = other & adjacent[u]
                    while b != 0 { total += cutLength[u][b.trailingZeroBitCount]; b &= b - 1 }
                    a &= a - 1
                }
            }
        }
        return total
    }

    /// Cuts `remaining` into regions, after those `chosen` so far: the next region starts at
    /// its lowest node; with nothing left, the cut is complete and kept if it is the shortest.
    mutating func place(_ remaining: UInt32) {
        if remaining == 0 {
            let length = cut(chosen)
            if best == nil || length < best!.cut { best = (chosen, length) }
            return
        }
        let first = UInt32(remaining.trailingZeroBitCount)
        grow(1 << first, weight[Int(first)], adjacent[Int(first)] & remaining, excluded: 0, remaining: remaining)
    }

    /// Grows region `set` (`total` households) by the lowest node of its `frontier` not yet
    /// decided on: once with it, once without it (`excluded`). A region with no open frontier
    /// left is placed when it is within the bounds and what remains stays divisible.
    mutating func grow(_ set: UInt32, _ total: Int, _ frontier: UInt32, excluded: UInt32, remaining: UInt32) {
        steps += 1
        guard steps <= limit else { return }
        let open = frontier & ~excluded & ~set
        if open == 0 {
            guard bounds.contains(total), divisible(remaining & ~set) else { return }
            chosen.append(set)
            place(remaining & ~set)
            chosen.removeLast()
            return
        }
        let node = open.trailingZeroBitCount
        let bit: UInt32 = 1 << UInt32(node)
        if total + weight[node] <= bounds.max {
            grow(set | bit, total + weight[node], (frontier | adjacent[node]) & remaining, excluded: excluded, remaining: remaining)
        }
        grow(set, total, frontier, excluded: excluded | bit, remaining: remaining)
    }
}
