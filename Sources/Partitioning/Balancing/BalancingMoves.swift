/// The balancing moves of a cut, kept from one step of `RegionBalancer.rebalance` to the next.
///
/// A balancing move sends a border unit to a neighbouring region where that brings the two
/// regions nearer their bounds; the one made is the best of all (see `Move.isBetter`). A move
/// changes the households of two regions, and nothing else that the moves of other regions
/// depend on: so each region keeps the best move of its own units, and after a step only the
/// regions it touched and the regions beside them look again. A step then costs the size of
/// those regions, not of the community, and a community of many grids balances in time that
/// grows with its size, not with its square.
struct BalancingMoves {
    /// A unit's move to a neighbouring region: `gain` is how much nearer their bounds the two
    /// regions end, `length` the boundary the unit shares with the region it goes to.
    struct Move {
        var node: Int
        var to: Int
        var gain: Int
        var length: Double

        /// Whether `self` is chosen over `other`: the larger gain, then the longer shared
        /// boundary, then the lower unit, then the lower region (the order of a scan of every
        /// unit and its neighbouring regions keeping the first of equals).
        func isBetter(than other: Move) -> Bool {
            if gain != other.gain { return gain > other.gain }
            if length != other.length { return length > other.length }
            return (node, to) < (other.node, other.to)
        }
    }

    private let graph: CellGraph
    private let bounds: HouseholdBounds
    /// Per region, its units' best move, or nil when none gains; valid unless `stale`.
    private var bestOf: [Move?]
    private var stale: [Bool]
    /// Regions that are stale, or whose best move is not nil: the only ones `best` looks at.
    private var watched: Set<Int>

    init(regions count: Int, graph: CellGraph, bounds: HouseholdBounds) {
        self.graph = graph
        self.bounds = bounds
        bestOf = [Move?](repeating: nil, count: count)
        stale = [Bool](repeating: true, count: count)
        watched = Set(0..<count)
    }

    /// The best balancing move of the whole cut that leaves the region it leaves in one piece.
    mutating func best(_ cut: RegionMembers, regionWeight: [Int]) -> Move? {
        var best: Move?
        for r in watched {
            if stale[r] {
                bestOf[r] = bestMove(of: r, cut: cut, regionWeight: regionWeight)
                stale[r] = false
            }
            guard let move = bestOf[r] else { continue }
            if best == nil || move.isBetter(than: best!) { best = move }
        }
        watched = watched.filter { bestOf[$0] != nil }
        return best
    }

    /// Marks what changing the units of `regions` (their households or members) may change:
    /// their own moves, and the moves of units beside them into them. Call it before or after
    /// the change, with every region a unit left or joined: their union is the same either way.
    mutating func touch(_ regions: [Int], cut: RegionMembers) {
        for r in regions where r >= 0 { mark(r) }
        cut.forEachUnit(inOrBeside: regions) { mark(cut.region[$0]) }
    }

    private mutating func mark(_ r: Int) {
        stale[r] = true
        watched.insert(r)
    }

    /// The best move of a unit of region `r` with households that leaves `r` in one piece.
    /// Each unit's neighbouring regions are visited in ascending order, as a scan would.
    private func bestMove(of r: Int, cut: RegionMembers, regionWeight: [Int]) -> Move? {
        var best: Move?
        let w0 = regionWeight[r]
        for node in cut[r] where graph.weight[node] > 0 {
            let w = graph.weight[node]
            var lengths: [Int: Double] = [:]
            for edge in graph.neighbours[node] where cut.region[edge.node] >= 0 && cut.region[edge.node] != r {
                lengths[cut.region[edge.node], default: 0] += edge.length
            }
            for (to, length) in lengths.sorted(by: { $0.key < $1.key }) {
                let before = bounds.violation(w0) + bounds.violation(regionWeight[to])
                let after = bounds.violation(w0 - w) + bounds.violation(regionWeight[to] + w)
                let move = Move(node: node, to: to, gain: before - after, length: length)
                guard move.gain > 0, best == nil || move.isBetter(than: best!) else { continue }
                guard cut.isContiguous(region: r, without: node, graph: graph) else { continue }
                best = move
            }
        }
        return best
    }
}
