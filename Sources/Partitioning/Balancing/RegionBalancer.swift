import GeometryEngine

/// Cuts a cell graph into contiguous regions whose households fall within bounds.
///
/// Regions grow greedily from the north-west-most unit still free, each time adding the
/// neighbour that shares the largest part of its boundary with the region (the most compact
/// choice), until the region reaches its share of what is left; then units on region borders
/// move to a neighbouring region wherever that brings both closer to their bounds without
/// cutting either in two, and regions still too small merge into a neighbour that has room.
/// Land without households joins the region it shares most boundary with.
struct RegionBalancer {
    let graph: CellGraph
    let bounds: HouseholdBounds
    /// For the next level down: the indivisible weights each node is made of, and their bounds.
    /// Among equally balanced cuts, the one with fewest regions whose parts cannot be grouped
    /// within these bounds wins (grids whose buildings make good micro-grids).
    var parts: [[Int]]? = nil
    var partBounds: HouseholdBounds? = nil
    /// Regions to make of a connected graph, instead of the count the bounds suggest.
    var forcedRegions: Int? = nil
    /// Whether to repair regions still out of bounds by re-cutting them with their neighbours.
    var repairs = true
    /// Answers of `splitsBadly`, shared by every start tried, and of `searchedExhaustively`.
    let known = Answers()
    final class Answers {
        var answers: [[Int]: Bool] = [:]
        var search: (regions: [Int]?, complete: Bool)?
    }

    /// Where growth starts and when a region stops growing.
    struct Strategy {
        /// Seeds are the nodes with the smallest `x * sx + y * sy`: (1, -1) is the north-west corner.
        var sx: Double
        var sy: Double
        /// Whether a region stops as soon as it reaches its share, or takes one more unit when that lands nearer.
        var eager: Bool
    }

    /// Starts from the north-west corner first, then from the three other corners.
    static let strategies: [Strategy] = [false, true].flatMap { eager in
        [(1.0, -1.0), (-1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)].map { Strategy(sx: $0.0, sy: $0.1, eager: eager) }
    }

    /// The region of every node, numbered from 0 without gaps: the best of several starts
    /// (fewest regions out of bounds, then least excess, then the shortest boundaries).
    func regions() -> [Int] {
        var best: (region: [Int], score: (Int, Int, Double))?
        for strategy in Self.strategies {
            let region = regions(strategy, extraRegions: 0)
            let score = evaluate(region)
            if best == nil || score < best!.score { best = (region, score) }
        }
        // When every start leaves a region out of bounds, one region more or fewer (where the
        // households allow it) often packs the units better: 200 households of buildings of 40
        // to 70 make three micro-grids badly and four well.
        if forcedRegions == nil, best!.score.0 > 0 {
            for extra in [1, -1] {
                for strategy in Self.strategies {
                    let region = regions(strategy, extraRegions: extra)
                    let score = evaluate(region)
                    if score < best!.score { best = (region, score) }
                }
            }
        }
        // A small graph (a grid's buildings, to be micro-grids) is searched exhaustively.
        if best!.score.0 > 0, let exact = searchedExhaustively().regions {
            let score = evaluate(exact)
            if score < best!.score { best = (exact, score) }
        }
        guard repairs, best!.score.0 > 0 else { return best!.region }
        return repaired(best!.region)
    }

    /// Re-cuts each region out of bounds together with one neighbour (as two regions), then
    /// with two (as three), keeping a new cut only when all its regions are in bounds.
    private func repaired(_ start: [Int]) -> [Int] {
        var region = start
        for size in [2, 3] {
            var changed = true
            var rounds = 0
            while changed && rounds < 20 {
                changed = false
                rounds += 1
                var weight: [Int: Int] = [:]
                var nodesOf: [Int: [Int]] = [:]
                for node in 0..<graph.count {
                    weight[region[node], default: 0] += graph.weight[node]
                    nodesOf[region[node], default: []].append(node)
                }
                for r in weight.keys.sorted() where weight[r]! > 0 && violation(weight[r]!) > 0 {
                    func adjacent(_ r: Int) -> [Int] {
                        var found: Set<Int> = []
                        for node in nodesOf[r] ?? [] {
                            for edge in graph.neighbours[node] where region[edge.node] != r { found.insert(region[edge.node]) }
                        }
                        return found.sorted()
                    }
                    let others = adjacent(r)
                    var combinations: [[Int]] = []
                    if size == 2 { combinations = others.map { [$0] } } else {
                        for i in others.indices { for j in others.indices where j > i { combinations.append([others[i], others[j]]) } }
                    }
                    for combination in combinations {
                        let nodes = ([r] + combination).flatMap { nodesOf[$0] ?? [] }.sorted()
                        let total = nodes.reduce(0) { $0 + graph.weight[$1] }
                        guard total >= size * bounds.min, total <= size * bounds.max else { continue }
                        let sub = graph.induced(nodes)
                        let cut = RegionBalancer(graph: sub, bounds: bounds, forcedRegions: size, repairs: false).regions()
                        var subWeight: [Int: Int] = [:]
                        for (i, node) in nodes.enumerated() { subWeight[cut[i], default: 0] += graph.weight[node] }
                        guard subWeight.count == size, subWeight.values.allSatisfy({ violation($0) == 0 }) else { continue }
                        let labels = ([r] + combination).sorted()
                        for (i, node) in nodes.enumerated() { region[node] = labels[cut[i]] }
                        changed = true
                        break
                    }
                    if changed { break }
                }
            }
        }
        return renumbered(refined(region))
    }

    /// Whether a region (its `nodes`, ascending) whose nodes are its parts (none holds two)
    /// provably cannot be cut into connected sub-regions within `partBounds`, as they lie
    /// (answers are kept in `known`).
    private func splitsBadly(_ nodes: [Int], partBounds: HouseholdBounds) -> Bool {
        guard nodes.count <= Self.exhaustiveNodes, let parts,
              nodes.allSatisfy({ parts[$0].filter { $0 > 0 }.count <= 1 }) else { return false }
        if let answer = known.answers[nodes] { return answer }
        let sub = graph.induced(nodes)
        let search = RegionBalancer(graph: sub, bounds: partBounds).exhaustiveSearch(steps: 20_000)
        let answer = search.complete && search.regions == nil
        known.answers[nodes] = answer
        return answer
    }

    private func evaluate(_ region: [Int]) -> (Int, Int, Double) {
        var weight: [Int: Int] = [:]
        for node in 0..<graph.count { weight[region[node], default: 0] += graph.weight[node] }
        var out = 0, excess = 0
        for (_, w) in weight where w > 0 {
            let v = violation(w)
            if v > 0 { out += 1; excess += v }
        }
        if let parts, let partBounds {
            // A region whose parts cannot make sub-regions in bounds counts as half out of bounds.
            var members: [Int: [Int]] = [:]
            var nodesOf: [Int: [Int]] = [:]
            for node in 0..<graph.count {
                members[region[node], default: []] += parts[node]
                nodesOf[region[node], default: []].append(node)
            }
            for r in members.keys.sorted() {
                let weights = members[r]!.filter { $0 > 0 }.sorted(by: >)
                guard weights.count <= 10, violation(weight[r] ?? 0) == 0 else { continue }
                if CommunityPartitioner.packs(weights, into: partBounds) == false {
                    excess += bounds.max
                } else if splitsBadly(nodesOf[r]!, partBounds: partBounds) {
                    excess += bounds.max / 2
                }
            }
        }
        var cut = 0.0
        for node in 0..<graph.count {
            for edge in graph.neighbours[node] where edge.node > node && region[edge.node] != region[node] { cut += edge.length }
        }
        return (out, excess, cut)
    }

    private func regions(_ strategy: Strategy, extraRegions: Int) -> [Int] {
        let n = graph.count
        var region = [Int](repeating: -1, count: n)
        var regionWeight: [Int] = []
        var emptyNodes: [Int] = []

        for component in graph.components() {
            let total = component.reduce(0) { $0 + graph.weight[$1] }
            guard total > 0 else {
                emptyNodes += component
                continue
            }
            grow(component, total: total, strategy: strategy, extraRegions: extraRegions, region: &region, regionWeight: &regionWeight)
        }
        rebalance(region: &region, regionWeight: &regionWeight)

        // Land without households: to the region sharing the most boundary, arterials allowed;
        // a piece of the community on its own makes its own region.
        attach(emptyNodes.sorted(), region: &region, regionWeight: &regionWeight) { node, region, _ in landRegion(for: node, region: region) }
        return renumbered(refined(region))
    }

    /// The region land without households at `node` joins: the one across its longest edge,
    /// across an arterial only where nothing else touches it.
    private func landRegion(for node: Int, region: [Int]) -> Int? {
        var best: (region: Int, length: Double)?
        for lists in [graph.neighbours, graph.barrierNeighbours] where best == nil {
            for edge in lists[node] where region[edge.node] >= 0 {
                if best == nil || edge.length > best!.length { best = (region[edge.node], edge.length) }
            }
        }
        return best?.region
    }

    // MARK: Refining

    /// Households, units, area and perimeter of each region, kept up to date as units move.
    private struct RegionTally {
        var weight: [Int]
        var size: [Int]
        var area: [Double]
        var perimeter: [Double]

        init(_ region: [Int], count: Int, graph: CellGraph) {
            weight = [Int](repeating: 0, count: count)
            size = [Int](repeating: 0, count: count)
            area = [Double](repeating: 0, count: count)
            perimeter = [Double](repeating: 0, count: count)
            for node in 0..<graph.count where region[node] >= 0 {
                let r = region[node]
                weight[r] += graph.weight[node]
                size[r] += 1
                area[r] += graph.area[node]
                perimeter[r] += graph.perimeter[node]
                for edge in graph.neighbours[node] where region[edge.node] == r { perimeter[r] -= edge.length }
            }
        }
    }

    /// A unit's move to the region beside it that gains most compactness: `own` is the boundary
    /// it shares with its region, `shared` the boundary it shares with the region it goes to.
    private struct CompactingMove {
        var node: Int
        var from: Int
        var to: Int
        var own: Double
        var shared: Double
    }

    /// Makes regions more compact: a unit on a region's border moves to the neighbouring region
    /// where that most raises the two regions' compactness (area over perimeter squared, as
    /// Polsby-Popper, the perimeter counting streets as `neighbours` do), when neither region
    /// ends further out of bounds, the one it leaves stays one piece, and (with `parts`) a
    /// region whose parts made sub-regions within `partBounds` by weight still does. A move
    /// that would leave a region out of bounds is tried as a swap with a unit of the other
    /// region on their border. Until neither helps. Growth leaves arms and ragged edges (a
    /// region takes what its share needs, wherever that is); these go where they belong.
    private func refined(_ start: [Int]) -> [Int] {
        let region = start
        let count = (region.max() ?? -1) + 1
        guard count > 1 else { return region }
        var tally = RegionTally(region, count: count, graph: graph)
        var cut = RegionMembers(region, count: count, graph: graph)
        var units = UnitsToVisit(count: graph.count)
        for _ in 0..<(2 * graph.count + 10) {
            if moveBorderUnits(&cut, tally: &tally, units: &units) { continue }
            // Moves that would raise compactness but leave a region out of bounds: tried as swaps.
            if !swapBlocked(units.blocked, cut: &cut, tally: &tally, units: &units) { break }
        }
        return cut.region
    }

    /// The units a pass of `refined` visits, and what held back each unit's move last time.
    /// A unit's move depends only on its own region and the regions beside it, so a unit
    /// whose regions did not change since it was last visited would decide as it did then:
    /// a pass visits only the others, in the order of a pass over every unit. A pass then
    /// costs what moved, not the community.
    private struct UnitsToVisit {
        /// Per unit, whether its regions changed since it was last visited.
        private var pending: [Bool]
        /// Per unit, the region its move was held back from by the bounds, or -1.
        private var blockedTo: [Int]

        init(count: Int) {
            pending = [Bool](repeating: true, count: count)
            blockedTo = [Int](repeating: -1, count: count)
        }

        /// Whether `node` is to be visited; it is not again until its regions change.
        mutating func visit(_ node: Int) -> Bool {
            guard pending[node] else { return false }
            pending[node] = false
            blockedTo[node] = -1
            return true
        }

        mutating func block(_ node: Int, to: Int) { blockedTo[node] = to }

        /// Marks the units in and beside `regions` to be visited again.
        mutating func touch(_ regions: [Int], cut: RegionMembers) {
            cut.forEachUnit(inOrBeside: regions) { pending[$0] = true }
        }

        /// The moves the bounds held back, by unit: after a pass that moved nothing, those of every unit.
        var blocked: [(node: Int, to: Int)] {
            blockedTo.indices.compactMap { blockedTo[$0] >= 0 ? ($0, blockedTo[$0]) : nil }
        }
    }

    /// One pass of `refined` over the units to visit, in order: each makes its `compactingMove`
    /// where that is allowed, or records that only the bounds held it back. Returns whether any
    /// unit moved.
    private func moveBorderUnits(_ cut: inout RegionMembers, tally: inout RegionTally, units: inout UnitsToVisit) -> Bool {
        var moved = false
        for node in 0..<graph.count where cut.region[node] >= 0 {
            guard units.visit(node), tally.size[cut.region[node]] > 1,
                  let move = compactingMove(of: node, region: cut.region, tally: tally) else { continue }
            let (from, to) = (move.from, move.to)
            let w = graph.weight[node]
            if w > 0 {
                guard noFurtherOut(tally.weight[from], tally.weight[from] - w), noFurtherOut(tally.weight[to], tally.weight[to] + w) else {
                    units.block(node, to: to)
                    continue
                }
                if let parts, parts[node].contains(where: { $0 > 0 }) {
                    if spoilsPacking(from, without: node, adding: nil, cut: cut) { continue }
                    if spoilsPacking(to, without: -1, adding: node, cut: cut) { continue }
                }
            }
            guard cut.isContiguous(region: from, without: node, graph: graph) else { continue }
            let a = graph.area[node], p = graph.perimeter[node]
            tally.perimeter[from] += 2 * move.own - p
            tally.perimeter[to] += p - 2 * move.shared
            tally.area[from] -= a
            tally.area[to] += a
            cut.move(node, to: to, graph: graph)
            tally.weight[from] -= w
            tally.weight[to] += w
            tally.size[from] -= 1
            tally.size[to] += 1
            units.touch([from, to], cut: cut)
            moved = true
        }
        return moved
    }

    /// The neighbouring region `node` would raise the compactness of its own and that region
    /// most by moving to (by more than `refineGain`; ties to the lower region), if any.
    private func compactingMove(of node: Int, region: [Int], tally: RegionTally) -> CompactingMove? {
        let from = region[node]
        var lengths: [Int: Double] = [:]
        for edge in graph.neighbours[node] where region[edge.node] >= 0 { lengths[region[edge.node], default: 0] += edge.length }
        let own = lengths[from] ?? 0
        let a = graph.area[node], p = graph.perimeter[node]
        let before = compactness(tally.area[from], tally.perimeter[from])
        let fromAfter = compactness(tally.area[from] - a, tally.perimeter[from] - p + 2 * own)
        var best: (to: Int, gain: Double)?
        for (to, length) in lengths.sorted(by: { $0.key < $1.key }) where to != from {
            let gain = fromAfter + compactness(tally.area[to] + a, tally.perimeter[to] + p - 2 * length) - before - compactness(tally.area[to], tally.perimeter[to])
            if gain > (best?.gain ?? Self.refineGain) { best = (to, gain) }
        }
        guard let to = best?.to else { return nil }
        return CompactingMove(node: node, from: from, to: to, own: own, shared: lengths[to]!)
    }

    /// The second step of a `refined` round, when no unit could move: each blocked unit goes
    /// and a unit of the other region on their border comes back, when that keeps both in
    /// bounds, in one piece, and raises their compactness. Returns whether any pair swapped.
    private func swapBlocked(_ blocked: [(node: Int, to: Int)], cut: inout RegionMembers, tally: inout RegionTally,
                             units: inout UnitsToVisit) -> Bool {
        var moved = false
        for (node, to) in blocked where cut.region[node] != to {
            let from = cut.region[node]
            guard let best = bestSwap(for: node, to: to, cut: cut, tally: tally) else { continue }
            let delta = graph.weight[best.other] - graph.weight[node]
            cut.move(node, to: to, graph: graph)
            cut.move(best.other, to: from, graph: graph)
            tally.weight[from] += delta
            tally.weight[to] -= delta
            (tally.area[from], tally.perimeter[from]) = best.from
            (tally.area[to], tally.perimeter[to]) = best.to
            units.touch([from, to], cut: cut)
            moved = true
        }
        return moved
    }

    /// The unit of region `to`, on its border with `node`'s region, whose swap with `node` raises
    /// the two regions' compactness most, with the area and perimeter each region would have.
    private func bestSwap(for node: Int, to: Int, cut: RegionMembers, tally: RegionTally)
        -> (other: Int, from: (area: Double, perimeter: Double), to: (area: Double, perimeter: Double))? {
        let region = cut.region
        let from = region[node]
        let before = compactness(tally.area[from], tally.perimeter[from]) + compactness(tally.area[to], tally.perimeter[to])
        var best: (other: Int, gain: Double, from: (area: Double, perimeter: Double), to: (area: Double, perimeter: Double))?
        for other in cut[to] where graph.neighbours[other].contains(where: { region[$0.node] == from }) {
            let delta = graph.weight[other] - graph.weight[node]
            guard noFurtherOut(tally.weight[from], tally.weight[from] + delta), noFurtherOut(tally.weight[to], tally.weight[to] - delta) else { continue }
            let newFrom = shape(from, out: node, in: other, cut: cut), newTo = shape(to, out: other, in: node, cut: cut)
            let gain = compactness(newFrom.area, newFrom.perimeter) + compactness(newTo.area, newTo.perimeter) - before
            guard gain > (best?.gain ?? Self.refineGain),
                  holdsTogether(from, out: node, in: other, size: tally.size[from], region: region),
                  holdsTogether(to, out: other, in: node, size: tally.size[to], region: region) else { continue }
            if parts != nil {
                if spoilsPacking(from, without: node, adding: other, cut: cut) { continue }
                if spoilsPacking(to, without: other, adding: node, cut: cut) { continue }
            }
            best = (other, gain, newFrom, newTo)
        }
        return best.map { ($0.other, $0.from, $0.to) }
    }

    /// Area over perimeter squared (Polsby-Popper without its 4π).
    private func compactness(_ a: Double, _ p: Double) -> Double { Compactness.areaOverPerimeterSquared(area: a, perimeter: p) }

    /// Whether a region of `before` households that would have `after` ends no further out of bounds.
    private func noFurtherOut(_ before: Int, _ after: Int) -> Bool { violation(after) <= violation(before) }

    /// Whether region `r`'s parts pack within `partBounds` now but would not with `removed`
    /// taken out and `added` put in (never, without `parts`).
    private func spoilsPacking(_ r: Int, without removed: Int, adding added: Int?, cut: RegionMembers) -> Bool {
        packs(r, without: -1, adding: nil, cut: cut) == true && packs(r, without: removed, adding: added, cut: cut) != true
    }

    /// Whether the parts of region `r`'s nodes, `removed` taken out and `added` put in, pack within `partBounds`.
    private func packs(_ r: Int, without removed: Int, adding added: Int?, cut: RegionMembers) -> Bool? {
        guard let parts, let partBounds else { return true }
        var weights = cut[r].filter { $0 != removed }.flatMap { parts[$0] }
        if let added { weights += parts[added] }
        return CommunityPartitioner.packs(weights.filter { $0 > 0 }, into: partBounds)
    }

    /// Area and perimeter of region `r` with `out` taken out and `in` put in.
    private func shape(_ r: Int, out: Int, in added: Int, cut: RegionMembers) -> (area: Double, perimeter: Double) {
        let region = cut.region
        func member(_ node: Int) -> Bool { node == added || (node != out && region[node] == r) }
        // Summed in node order, as a scan of every node would.
        var nodes = cut[r].filter { $0 != out }
        if region[added] != r { nodes.insert(added, at: nodes.firstIndex { $0 > added } ?? nodes.count) }
        var a = 0.0, p = 0.0
        for node in nodes {
            a += graph.area[node]
            p += graph.perimeter[node]
            for edge in graph.neighbours[node] where member(edge.node) { p -= edge.length }
        }
        return (a, p)
    }

    /// Whether region `r` of `size` units, with `out` taken out and `in` put in, is one piece.
    private func holdsTogether(_ r: Int, out: Int, in added: Int, size: Int, region: [Int]) -> Bool {
        graph.holdsTogether(from: added, size: size) { $0 == added || ($0 != out && region[$0] == r) }
    }

    /// How much a move must raise the compactness (area / perimeter², summed) of its two regions.
    static let refineGain = 1e-12

    // MARK: Growing

    /// Cuts `component` (`total` households) into regions grown one after another from the
    /// seed `strategy` picks among the free units, each up to its share of what is left; then
    /// gives what growth left to the regions beside it.
    private func grow(_ component: [Int], total: Int, strategy: Strategy, extraRegions: Int, region: inout [Int], regionWeight: inout [Int]) {
        var remainingWeight = total
        var remainingRegions = regionCount(for: total, extraRegions: extraRegions)
        // Boundary each free unit shares with the region growing: zero between regions.
        var shared = [Double](repeating: 0, count: graph.count)
        let inComponent = Set(component)
        var seeds = Seeds(component.filter { graph.weight[$0] > 0 }, by: { key($0, strategy) })
        while remainingRegions > 0 {
            guard let seed = seeds.next(free: { region[$0] < 0 }) else { break }
            let id = regionWeight.count
            regionWeight.append(0)
            growRegion(id, from: seed, goal: Double(remainingWeight) / Double(remainingRegions), last: remainingRegions == 1,
                       strategy: strategy, within: inComponent, shared: &shared, region: &region, regionWeight: &regionWeight)
            remainingWeight -= regionWeight[id]
            remainingRegions -= 1
        }
        attachLeftovers(of: component, region: &region, regionWeight: &regionWeight)
    }

    /// How many regions to cut `total` households into: `forcedRegions`, or what the bounds
    /// suggest, `extraRegions` more (or fewer) where the bounds allow that many too.
    private func regionCount(for total: Int, extraRegions: Int) -> Int {
        let k = forcedRegions ?? bounds.regionCount(for: total)
        let other = k + extraRegions
        if forcedRegions == nil, other >= 1, other * bounds.min <= total, total <= other * bounds.max { return other }
        return k
    }

    /// The units with households of a component, furthest towards a strategy's corner first
    /// (smallest key, ties to the lower node): the seed of each region is the first still free.
    /// Units only ever leave the free ones while regions grow, so the search goes on from
    /// where it stopped instead of scanning the component for every region.
    private struct Seeds {
        private let order: [Int]
        private var cursor = 0

        init(_ units: [Int], by key: (Int) -> Double) {
            let keys = Dictionary(uniqueKeysWithValues: units.map { ($0, key($0)) })
            order = units.sorted { keys[$0]! < keys[$1]! || (keys[$0]! == keys[$1]! && $0 < $1) }
        }

        mutating func next(free: (Int) -> Bool) -> Int? {
            while cursor < order.count, !free(order[cursor]) { cursor += 1 }
            return cursor < order.count ? order[cursor] : nil
        }
    }

    /// Grows region `id` from `seed`, each time by the `nextUnit` of its frontier, until it
    /// reaches `goal` households (the `last` region of a component takes all it can reach).
    /// `shared` is all zero before and after.
    private func growRegion(_ id: Int, from seed: Int, goal: Double, last: Bool, strategy: Strategy, within inComponent: Set<Int>,
                            shared: inout [Double], region: inout [Int], regionWeight: inout [Int]) {
        var frontier: [Int] = []
        var touched: [Int] = []
        func add(_ node: Int) {
            region[node] = id
            regionWeight[id] += graph.weight[node]
            for edge in graph.neighbours[node] where region[edge.node] < 0 && inComponent.contains(edge.node) {
                if shared[edge.node] == 0 { frontier.append(edge.node); touched.append(edge.node) }
                shared[edge.node] += edge.length
            }
        }
        add(seed)
        while true {
            let weight = regionWeight[id]
            if !last && Double(weight) >= goal { break }
            guard let best = nextUnit(of: frontier, weight: weight, last: last, shared: shared, region: region) else { break }
            let w = graph.weight[best]
            // Not eager: stop short when the unit would overshoot the goal by more than stopping misses it.
            if !last && weight >= bounds.min && !strategy.eager && Double(weight + w) - goal > goal - Double(weight) { break }
            add(best)
            frontier.removeAll { region[$0] >= 0 }
        }
        for node in touched { shared[node] = 0 }
    }

    /// The free unit of `frontier` that shares the largest part of its perimeter with the region
    /// (`weight` households), ties to the lower node; a region already at its minimum takes
    /// only units that keep it within its maximum, unless it is the `last`.
    private func nextUnit(of frontier: [Int], weight: Int, last: Bool, shared: [Double], region: [Int]) -> Int? {
        var best: Int?
        var bestScore = -Double.infinity
        for candidate in frontier where region[candidate] < 0 {
            let w = graph.weight[candidate]
            if !last && weight + w > bounds.max && weight >= bounds.min { continue }
            let score = shared[candidate] / Swift.max(graph.perimeter[candidate], 1e-9)
            if score > bestScore || (score == bestScore && candidate < best!) {
                best = candidate
                bestScore = score
            }
        }
        return best
    }

    /// What growth left of `component`: each unit to a neighbouring region, the lightest for a
    /// unit with households, the one it shares the longest edge with for land; a unit no
    /// region reaches (only land without households) becomes a region of its own.
    private func attachLeftovers(of component: [Int], region: inout [Int], regionWeight: inout [Int]) {
        attach(component.filter { region[$0] < 0 }, region: &region, regionWeight: &regionWeight, to: leftoverRegion)
    }

    /// The region beside `node` it joins as a leftover of growth (see `attachLeftovers`).
    private func leftoverRegion(for node: Int, region: [Int], regionWeight: [Int]) -> Int? {
        var best: (region: Int, length: Double)?
        for edge in graph.neighbours[node] where region[edge.node] >= 0 {
            let r = region[edge.node]
            if let current = best {
                let better = graph.weight[node] > 0
                    ? regionWeight[r] < regionWeight[current.region] || (regionWeight[r] == regionWeight[current.region] && edge.length > current.length)
                    : edge.length > current.length
                if better { best = (r, edge.length) }
            } else {
                best = (r, edge.length)
            }
        }
        return best?.region
    }

    /// Gives each of `pending` to the region `target` picks for it (nil while it touches none),
    /// in passes (see `Attach`); when a pass gives none, the first left becomes a region of its
    /// own, numbered after every other, and the passes go on.
    private func attach(_ pending: [Int], region: inout [Int], regionWeight: inout [Int],
                        to target: (_ node: Int, _ region: [Int], _ regionWeight: [Int]) -> Int?) {
        var pending = pending
        while !pending.isEmpty {
            let left = Attach.inPasses(pending) { node in
                guard let r = target(node, region, regionWeight) else { return false }
                region[node] = r
                regionWeight[r] += graph.weight[node]
                return true
            }
            guard let first = left.first else { break }
            regionWeight.append(0)
            region[first] = regionWeight.count - 1
            regionWeight[regionWeight.count - 1] += graph.weight[first]
            pending = Array(left.dropFirst())
        }
    }

    private func key(_ node: Int, _ strategy: Strategy) -> Double { graph.centroid[node].x * strategy.sx + graph.centroid[node].y * strategy.sy }

    // MARK: Exhaustive search

    /// Graphs up to this many nodes are searched exhaustively when the heuristics leave a
    /// region out of bounds, within `searchSteps` steps.
    static let exhaustiveNodes = 20
    static let searchSteps = 200_000

    /// `exhaustiveSearch()` with the default steps, searched once per balancer.
    func searchedExhaustively() -> (regions: [Int]?, complete: Bool) {
        if let search = known.search { return search }
        let search = exhaustiveSearch()
        known.search = search
        return search
    }

    /// The cut of the whole graph into connected regions all within the bounds with the
    /// shortest boundary between them, found by trying every one: `regions` nil when there is
    /// none or the search could not tell; `complete` when it tried every cut (so nil means none).
    func exhaustiveSearch(steps limit: Int = RegionBalancer.searchSteps) -> (regions: [Int]?, complete: Bool) {
        let n = graph.count
        guard n >= 1, n <= Self.exhaustiveNodes else { return (nil, false) }
        var search = ExhaustiveCutSearch(graph: graph, bounds: bounds, steps: limit)
        let everything: UInt32 = (1 << UInt32(n)) - 1
        guard search.divisible(everything) else { return (nil, true) }
        search.place(everything)
        guard let best = search.best else { return (nil, search.steps <= limit) }
        var region = [Int](repeating: -1, count: n)
        for (index, set) in best.regions.enumerated() {
            var rest = set
            while rest != 0 { region[rest.trailingZeroBitCount] = index; rest &= rest - 1 }
        }
        return (renumbered(region), search.steps <= limit)
    }

    // MARK: Rebalancing

    private func violation(_ weight: Int) -> Int { bounds.violation(weight) }

    /// Moves border units and merges regions until every region is in bounds or nothing helps:
    /// the best of the `BalancingMoves` while there is one, else a region too small merges into
    /// the lightest neighbour with room, else an `ejectionChain`.
    private func rebalance(region: inout [Int], regionWeight: inout [Int]) {
        var cut = RegionMembers(region, count: regionWeight.count, graph: graph)
        var moves = BalancingMoves(regions: regionWeight.count, graph: graph, bounds: bounds)
        defer { region = cut.region }
        for _ in 0..<(4 * graph.count + 10) {
            if let move = moves.best(cut, regionWeight: regionWeight) {
                let from = cut.region[move.node]
                regionWeight[from] -= graph.weight[move.node]
                regionWeight[move.to] += graph.weight[move.node]
                cut.move(move.node, to: move.to, graph: graph)
                moves.touch([from, move.to], cut: cut)
                continue
            }
            let merge = smallRegionMerge(cut, regionWeight: regionWeight)
            if merge == nil, let chain = ejectionChain(cut: &cut, regionWeight: &regionWeight) {
                moves.touch(chain, cut: cut)
                continue
            }
            guard let merge else { break }
            cut.merge(merge.from, into: merge.into, graph: graph)
            regionWeight[merge.into] += regionWeight[merge.from]
            regionWeight[merge.from] = 0
            moves.touch([merge.from, merge.into], cut: cut)
        }
    }

    /// A region still too small and the lightest neighbour it can merge into without ending
    /// further out of bounds (ties to the lower pair).
    private func smallRegionMerge(_ cut: RegionMembers, regionWeight: [Int]) -> (from: Int, into: Int)? {
        var merge: (from: Int, into: Int, weight: Int)?
        for r in regionWeight.indices where regionWeight[r] < bounds.min && regionWeight[r] > 0 {
            for node in cut[r] {
                for edge in graph.neighbours[node] where cut.region[edge.node] >= 0 && cut.region[edge.node] != r {
                    let into = cut.region[edge.node]
                    let merged = regionWeight[r] + regionWeight[into]
                    guard merged <= bounds.max || violation(merged) < violation(regionWeight[r]) + violation(regionWeight[into]) else { continue }
                    if merge == nil || merged < merge!.weight || (merged == merge!.weight && (r, into) < (merge!.from, merge!.into)) {
                        merge = (r, into, merged)
                    }
                }
            }
        }
        return merge.map { ($0.from, $0.into) }
    }

    /// Moves along a chain of neighbouring regions: a region over its bound passes a border
    /// unit to a neighbour, which passes one on if that puts it over, and so on up to three
    /// steps, until a region with room takes it (and the same, pulling, for a region too small).
    /// Done only when every region on the chain ends in bounds. Returns the chain's regions.
    private func ejectionChain(cut: inout RegionMembers, regionWeight: inout [Int]) -> [Int]? {
        for r in regionWeight.indices where regionWeight[r] > 0 && violation(regionWeight[r]) > 0 {
            var visited: Set<Int> = [r]
            if chainLink(from: r, pushing: regionWeight[r] > bounds.max, depth: 0, visited: &visited, cut: &cut, regionWeight: &regionWeight) {
                return Array(visited)
            }
        }
        return nil
    }

    /// A border unit's move from one region to the next, on an ejection chain.
    private typealias ChainMove = (node: Int, from: Int, to: Int)

    /// One link of an ejection chain at region `r`: over its bound, it pushes a border unit to a
    /// neighbouring region (`pushing`); under it, it pulls one from a neighbour. Of the units
    /// that bring `r` in bounds and leave the region they leave in one piece, the four lightest
    /// are tried in turn: done when the neighbour ends in bounds on that side, else (up to three
    /// links) when the neighbour passes its surplus or shortfall on; else the unit goes back.
    /// When done, `visited` holds every region of the chain.
    private func chainLink(from r: Int, pushing: Bool, depth: Int, visited: inout Set<Int>, cut: inout RegionMembers, regionWeight: inout [Int]) -> Bool {
        let moves = pushing ? pushMoves(from: r, visited: visited, cut: cut) : pullMoves(into: r, visited: visited, cut: cut)
        // What `r` must shed or gain: a unit of at least that leaves it at most at its maximum
        // (pushing) or at least at its minimum (pulling), so in bounds is the other side's test.
        let need = pushing ? regionWeight[r] - bounds.max : bounds.min - regionWeight[r]
        var tried = 0
        for move in moves {
            let w = graph.weight[move.node]
            guard w >= need, bounds.contains(pushing ? regionWeight[r] - w : regionWeight[r] + w) else { continue }
            guard cut.isContiguous(region: move.from, without: move.node, graph: graph) else { continue }
            tried += 1
            if tried > 4 { break }
            cut.move(move.node, to: move.to, graph: graph)
            regionWeight[move.from] -= w
            regionWeight[move.to] += w
            let next = pushing ? move.to : move.from
            let settled = pushing ? regionWeight[next] <= bounds.max : regionWeight[next] >= bounds.min
            if settled {
                visited.insert(next)
                return true
            }
            if depth < 2 {
                visited.insert(next)
                if chainLink(from: next, pushing: pushing, depth: depth + 1, visited: &visited, cut: &cut, regionWeight: &regionWeight) { return true }
                visited.remove(next)
            }
            cut.move(move.node, to: move.from, graph: graph)
            regionWeight[move.from] += w
            regionWeight[move.to] -= w
        }
        return false
    }

    /// Border units of `r` next to a region not yet on the chain, with that region, lightest first.
    private func pushMoves(from r: Int, visited: Set<Int>, cut: RegionMembers) -> [ChainMove] {
        var moves: [ChainMove] = []
        for node in cut[r] where graph.weight[node] > 0 {
            var targets: Set<Int> = []
            for edge in graph.neighbours[node] where cut.region[edge.node] >= 0 && cut.region[edge.node] != r { targets.insert(cut.region[edge.node]) }
            for to in targets.sorted() { moves.append((node, r, to)) }
        }
        moves.sort { (graph.weight[$0.node], $0.node, $0.to) < (graph.weight[$1.node], $1.node, $1.to) }
        return moves.filter { !visited.contains($0.to) }
    }

    /// Units of regions not yet on the chain next to `r`, lightest first.
    private func pullMoves(into r: Int, visited: Set<Int>, cut: RegionMembers) -> [ChainMove] {
        var units: Set<Int> = []
        for member in cut[r] {
            for node in cut.incoming[member] where cut.region[node] >= 0 && cut.region[node] != r && !visited.contains(cut.region[node]) && graph.weight[node] > 0 {
                units.insert(node)
            }
        }
        return units.map { ($0, cut.region[$0], r) }.sorted { (graph.weight[$0.node], $0.node) < (graph.weight[$1.node], $1.node) }
    }

    // MARK: Helpers

    private func renumbered(_ region: [Int]) -> [Int] {
        var map: [Int: Int] = [:]
        return region.map { r in
            if let m = map[r] { return m }
            map[r] = map.count
            return map.count - 1
        }
    }
}
