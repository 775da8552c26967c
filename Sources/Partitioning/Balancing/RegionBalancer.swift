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
                for node in 0..<graph.count { weight[region[node], default: 0] += graph.weight[node] }
                for r in weight.keys.sorted() where weight[r]! > 0 && violation(weight[r]!) > 0 {
                    func adjacent(_ r: Int) -> [Int] {
                        var found: Set<Int> = []
                        for node in 0..<graph.count where region[node] == r {
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
                        let members = Set([r] + combination)
                        let nodes = (0..<graph.count).filter { members.contains(region[$0]) }
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

    /// Whether a region whose nodes are its parts (none holds two) provably cannot be cut into
    /// connected sub-regions within `partBounds`, as they lie (answers are kept in `known`).
    private func splitsBadly(region r: Int, in region: [Int], partBounds: HouseholdBounds) -> Bool {
        let nodes = (0..<graph.count).filter { region[$0] == r }
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
            for node in 0..<graph.count { members[region[node], default: []] += parts[node] }
            for r in members.keys.sorted() {
                let weights = members[r]!.filter { $0 > 0 }.sorted(by: >)
                guard weights.count <= 10, violation(weight[r] ?? 0) == 0 else { continue }
                if CommunityPartitioner.packs(weights, into: partBounds) == false {
                    excess += bounds.max
                } else if splitsBadly(region: r, in: region, partBounds: partBounds) {
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

        // Land without households: to the region sharing the most boundary, arterials allowed.
        var pending = emptyNodes.sorted()
        while !pending.isEmpty {
            var progressed = false
            var still: [Int] = []
            for node in pending {
                // Across an arterial only where nothing else touches it.
                var best: (region: Int, length: Double)?
                for lists in [graph.neighbours, graph.barrierNeighbours] where best == nil {
                    for edge in lists[node] where region[edge.node] >= 0 {
                        if best == nil || edge.length > best!.length { best = (region[edge.node], edge.length) }
                    }
                }
                if let best {
                    region[node] = best.region
                    progressed = true
                } else {
                    still.append(node)
                }
            }
            pending = still
            if !progressed, let first = pending.first {
                // A piece of the community on its own: its own region.
                regionWeight.append(0)
                region[first] = regionWeight.count - 1
                pending.removeFirst()
            }
        }
        return renumbered(refined(region))
    }

    // MARK: Refining

    /// Makes regions more compact: a unit on a region's border moves to the neighbouring region
    /// where that most raises the two regions' compactness (area over perimeter squared, as
    /// Polsby-Popper, the perimeter counting streets as `neighbours` do), when neither region
    /// ends further out of bounds, the one it leaves stays one piece, and (with `parts`) a
    /// region whose parts made sub-regions within `partBounds` by weight still does. A move
    /// that would leave a region out of bounds is tried as a swap with a unit of the other
    /// region on their border. Until neither helps. Growth leaves arms and ragged edges (a
    /// region takes what its share needs, wherever that is); these go where they belong.
    private func refined(_ start: [Int]) -> [Int] {
        var region = start
        let n = graph.count
        let count = (region.max() ?? -1) + 1
        guard count > 1 else { return region }
        var weight = [Int](repeating: 0, count: count)
        var size = [Int](repeating: 0, count: count)
        var area = [Double](repeating: 0, count: count)
        var perimeter = [Double](repeating: 0, count: count)
        for node in 0..<n where region[node] >= 0 {
            let r = region[node]
            weight[r] += graph.weight[node]
            size[r] += 1
            area[r] += graph.area[node]
            perimeter[r] += graph.perimeter[node]
            for edge in graph.neighbours[node] where region[edge.node] == r { perimeter[r] -= edge.length }
        }
        func compactness(_ a: Double, _ p: Double) -> Double { p > 0 ? a / (p * p) : 0 }
        func packs(_ r: Int, without removed: Int, adding added: Int?) -> Bool? {
            guard let parts, let partBounds else { return true }
            var weights = (0..<n).filter { region[$0] == r && $0 != removed }.flatMap { parts[$0] }
            if let added { weights += parts[added] }
            return CommunityPartitioner.packs(weights.filter { $0 > 0 }, into: partBounds)
        }
        /// Area and perimeter of region `r` with `out` taken out and `in` put in.
        func shape(_ r: Int, out: Int, in added: Int) -> (area: Double, perimeter: Double) {
            func member(_ node: Int) -> Bool { node == added || (node != out && region[node] == r) }
            var a = 0.0, p = 0.0
            for node in 0..<n where member(node) {
                a += graph.area[node]
                p += graph.perimeter[node]
                for edge in graph.neighbours[node] where member(edge.node) { p -= edge.length }
            }
            return (a, p)
        }
        func connected(_ r: Int, out: Int, in added: Int) -> Bool {
            graph.holdsTogether(from: added, size: size[r]) { $0 == added || ($0 != out && region[$0] == r) }
        }
        for _ in 0..<(2 * n + 10) {
            var moved = false
            // Moves that would raise compactness but leave a region out of bounds: tried as swaps.
            var blocked: [(node: Int, to: Int)] = []
            for node in 0..<n where region[node] >= 0 {
                let from = region[node]
                guard size[from] > 1 else { continue }
                var lengths: [Int: Double] = [:]
                for edge in graph.neighbours[node] where region[edge.node] >= 0 { lengths[region[edge.node], default: 0] += edge.length }
                let own = lengths[from] ?? 0
                let a = graph.area[node], p = graph.perimeter[node]
                let before = compactness(area[from], perimeter[from])
                let fromAfter = compactness(area[from] - a, perimeter[from] - p + 2 * own)
                var best: (to: Int, gain: Double)?
                for (to, length) in lengths.sorted(by: { $0.key < $1.key }) where to != from {
                    let gain = fromAfter + compactness(area[to] + a, perimeter[to] + p - 2 * length) - before - compactness(area[to], perimeter[to])
                    if gain > (best?.gain ?? Self.refineGain) { best = (to, gain) }
                }
                guard let to = best?.to else { continue }
                let w = graph.weight[node]
                if w > 0 {
                    guard violation(weight[from] - w) <= violation(weight[from]), violation(weight[to] + w) <= violation(weight[to]) else {
                        blocked.append((node, to))
                        continue
                    }
                    if let parts, parts[node].contains(where: { $0 > 0 }) {
                        if packs(from, without: -1, adding: nil) == true, packs(from, without: node, adding: nil) != true { continue }
                        if packs(to, without: -1, adding: nil) == true, packs(to, without: -1, adding: node) != true { continue }
                    }
                }
                guard isContiguous(region: from, without: node, in: region) else { continue }
                perimeter[from] += 2 * own - p
                perimeter[to] += p - 2 * lengths[to]!
                area[from] -= a
                area[to] += a
                region[node] = to
                weight[from] -= w
                weight[to] += w
                size[from] -= 1
                size[to] += 1
                moved = true
            }
            if moved { continue }
            // A swap: the blocked unit goes, a unit of the other region on their border comes
            // back, when that keeps both in bounds, in one piece, and raises their compactness.
            for (node, to) in blocked where region[node] != to {
                let from = region[node]
                let before = compactness(area[from], perimeter[from]) + compactness(area[to], perimeter[to])
                var best: (other: Int, gain: Double, from: (area: Double, perimeter: Double), to: (area: Double, perimeter: Double))?
                for other in 0..<n where region[other] == to && graph.neighbours[other].contains(where: { region[$0.node] == from }) {
                    let delta = graph.weight[other] - graph.weight[node]
                    guard violation(weight[from] + delta) <= violation(weight[from]), violation(weight[to] - delta) <= violation(weight[to]) else { continue }
                    let newFrom = shape(from, out: node, in: other), newTo = shape(to, out: other, in: node)
                    let gain = compactness(newFrom.area, newFrom.perimeter) + compactness(newTo.area, newTo.perimeter) - before
                    guard gain > (best?.gain ?? Self.refineGain), connected(from, out: node, in: other), connected(to, out: other, in: node) else { continue }
                    if parts != nil {
                        if packs(from, without: -1, adding: nil) == true, packs(from, without: node, adding: other) != true { continue }
                        if packs(to, without: -1, adding: nil) == true, packs(to, without: other, adding: node) != true { continue }
                    }
                    best = (other, gain, newFrom, newTo)
                }
                guard let best else { continue }
                let delta = graph.weight[best.other] - graph.weight[node]
                region[node] = to
                region[best.other] = from
                weight[from] += delta
                weight[to] -= delta
                (area[from], perimeter[from]) = best.from
                (area[to], perimeter[to]) = best.to
                moved = true
            }
            if !moved { break }
        }
        return region
    }

    /// How much a move must raise the compactness (area / perimeter², summed) of its two regions.
    static let refineGain = 1e-12

    // MARK: Growing

    private func grow(_ component: [Int], total: Int, strategy: Strategy, extraRegions: Int, region: inout [Int], regionWeight: inout [Int]) {
        var k = forcedRegions ?? bounds.regionCount(for: total)
        let other = k + extraRegions
        if forcedRegions == nil, other >= 1, other * bounds.min <= total, total <= other * bounds.max { k = other }
        var remainingWeight = total
        var remainingRegions = k
        var shared = [Double](repeating: 0, count: graph.count)
        let inComponent = Set(component)
        while remainingRegions > 0 {
            guard let seed = component.filter({ region[$0] < 0 && graph.weight[$0] > 0 })
                .min(by: { key($0, strategy) < key($1, strategy) || (key($0, strategy) == key($1, strategy) && $0 < $1) }) else { break }
            let id = regionWeight.count
            regionWeight.append(0)
            let goal = Double(remainingWeight) / Double(remainingRegions)
            let last = remainingRegions == 1
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
                guard let best else { break }
                let w = graph.weight[best]
                if !last && weight >= bounds.min && !strategy.eager && Double(weight + w) - goal > goal - Double(weight) { break }
                add(best)
                frontier.removeAll { region[$0] >= 0 }
            }
            for node in touched { shared[node] = 0 }
            remainingWeight -= regionWeight[id]
            remainingRegions -= 1
        }
        // What growth left: to a neighbouring region, the lightest for households, the closest for land.
        var pending = component.filter { region[$0] < 0 }
        while !pending.isEmpty {
            var still: [Int] = []
            for node in pending {
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
                if let best {
                    region[node] = best.region
                    regionWeight[best.region] += graph.weight[node]
                } else {
                    still.append(node)
                }
            }
            if still.count == pending.count {
                // Unreachable from every region (only land without households): a region of its own.
                regionWeight.append(0)
                region[still[0]] = regionWeight.count - 1
                regionWeight[regionWeight.count - 1] += graph.weight[still[0]]
                still.removeFirst()
            }
            pending = still
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
        var adjacent = [UInt32](repeating: 0, count: n)
        for node in 0..<n { for edge in graph.neighbours[node] where edge.node != node { adjacent[node] |= 1 << UInt32(edge.node) } }
        let weight = graph.weight
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
        var cutLength = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for node in 0..<n { for edge in graph.neighbours[node] { cutLength[node][edge.node] += edge.length } }
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
        var steps = 0
        var best: (regions: [UInt32], cut: Double)?
        var chosen: [UInt32] = []
        // Regions are found in order of their lowest node; each region is grown as a connected
        // set by deciding, node by node along its frontier, whether it joins.
        func place(_ remaining: UInt32) {
            if remaining == 0 {
                let length = cut(chosen)
                if best == nil || length < best!.cut { best = (chosen, length) }
                return
            }
            let first = UInt32(remaining.trailingZeroBitCount)
            grow(1 << first, weight[Int(first)], adjacent[Int(first)] & remaining, excluded: 0, remaining: remaining)
        }
        func grow(_ set: UInt32, _ total: Int, _ frontier: UInt32, excluded: UInt32, remaining: UInt32) {
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
        let everything: UInt32 = (1 << UInt32(n)) - 1
        guard divisible(everything) else { return (nil, true) }
        place(everything)
        guard let best else { return (nil, steps <= limit) }
        var region = [Int](repeating: -1, count: n)
        for (index, set) in best.regions.enumerated() {
            var rest = set
            while rest != 0 { region[rest.trailingZeroBitCount] = index; rest &= rest - 1 }
        }
        return (renumbered(region), steps <= limit)
    }

    // MARK: Rebalancing

    private func violation(_ weight: Int) -> Int {
        weight < bounds.min ? bounds.min - weight : (weight > bounds.max ? weight - bounds.max : 0)
    }

    private func rebalance(region: inout [Int], regionWeight: inout [Int]) {
        let n = graph.count
        for _ in 0..<(4 * n + 10) {
            // The move of one border unit that most reduces how far its two regions are out of bounds.
            var best: (node: Int, to: Int, gain: Int, length: Double)?
            for node in 0..<n where region[node] >= 0 && graph.weight[node] > 0 {
                let from = region[node]
                let w = graph.weight[node]
                var lengths: [Int: Double] = [:]
                for edge in graph.neighbours[node] where region[edge.node] >= 0 && region[edge.node] != from {
                    lengths[region[edge.node], default: 0] += edge.length
                }
                for (to, length) in lengths.sorted(by: { $0.key < $1.key }) {
                    let before = violation(regionWeight[from]) + violation(regionWeight[to])
                    let after = violation(regionWeight[from] - w) + violation(regionWeight[to] + w)
                    let gain = before - after
                    guard gain > 0 else { continue }
                    if let current = best, gain < current.gain || (gain == current.gain && length <= current.length) { continue }
                    guard isContiguous(region: from, without: node, in: region) else { continue }
                    best = (node, to, gain, length)
                }
            }
            if let move = best {
                regionWeight[region[move.node]] -= graph.weight[move.node]
                regionWeight[move.to] += graph.weight[move.node]
                region[move.node] = move.to
                continue
            }
            // A region still too small merges into the lightest neighbour that has room.
            var merge: (from: Int, into: Int, weight: Int)?
            for r in regionWeight.indices where regionWeight[r] < bounds.min && regionWeight[r] > 0 {
                for node in 0..<n where region[node] == r {
                    for edge in graph.neighbours[node] where region[edge.node] >= 0 && region[edge.node] != r {
                        let into = region[edge.node]
                        let merged = regionWeight[r] + regionWeight[into]
                        guard merged <= bounds.max || violation(merged) < violation(regionWeight[r]) + violation(regionWeight[into]) else { continue }
                        if merge == nil || merged < merge!.weight || (merged == merge!.weight && (r, into) < (merge!.from, merge!.into)) {
                            merge = (r, into, merged)
                        }
                    }
                }
            }
            if merge == nil, ejectionChain(region: &region, regionWeight: &regionWeight) { continue }
            guard let merge else { break }
            for node in 0..<n where region[node] == merge.from { region[node] = merge.into }
            regionWeight[merge.into] += regionWeight[merge.from]
            regionWeight[merge.from] = 0
        }
    }

    /// Moves along a chain of neighbouring regions: a region over its bound passes a border
    /// unit to a neighbour, which passes one on if that puts it over, and so on up to three
    /// steps, until a region with room takes it (and the same, pulling, for a region too small).
    /// Done only when every region on the chain ends in bounds.
    private func ejectionChain(region: inout [Int], regionWeight: inout [Int]) -> Bool {
        for r in regionWeight.indices where regionWeight[r] > 0 && violation(regionWeight[r]) > 0 {
            var visited: Set<Int> = [r]
            if regionWeight[r] > bounds.max {
                if push(from: r, depth: 0, visited: &visited, region: &region, regionWeight: &regionWeight) { return true }
            } else if pull(into: r, depth: 0, visited: &visited, region: &region, regionWeight: &regionWeight) {
                return true
            }
        }
        return false
    }

    /// Border units of `from` next to another region, with that region, lightest first.
    private func borderMoves(of from: Int, region: [Int]) -> [(node: Int, to: Int)] {
        var moves: [(node: Int, to: Int)] = []
        for node in 0..<graph.count where region[node] == from && graph.weight[node] > 0 {
            var targets: Set<Int> = []
            for edge in graph.neighbours[node] where region[edge.node] >= 0 && region[edge.node] != from { targets.insert(region[edge.node]) }
            for to in targets.sorted() { moves.append((node, to)) }
        }
        return moves.sorted { (graph.weight[$0.node], $0.node, $0.to) < (graph.weight[$1.node], $1.node, $1.to) }
    }

    private func push(from r: Int, depth: Int, visited: inout Set<Int>, region: inout [Int], regionWeight: inout [Int]) -> Bool {
        let excess = regionWeight[r] - bounds.max
        var tried = 0
        for move in borderMoves(of: r, region: region) where !visited.contains(move.to) {
            let w = graph.weight[move.node]
            guard w >= excess, regionWeight[r] - w >= bounds.min else { continue }
            guard isContiguous(region: r, without: move.node, in: region) else { continue }
            tried += 1
            if tried > 4 { break }
            region[move.node] = move.to
            regionWeight[r] -= w
            regionWeight[move.to] += w
            if regionWeight[move.to] <= bounds.max { return true }
            if depth < 2 {
                visited.insert(move.to)
                if push(from: move.to, depth: depth + 1, visited: &visited, region: &region, regionWeight: &regionWeight) { return true }
                visited.remove(move.to)
            }
            region[move.node] = r
            regionWeight[r] += w
            regionWeight[move.to] -= w
        }
        return false
    }

    private func pull(into r: Int, depth: Int, visited: inout Set<Int>, region: inout [Int], regionWeight: inout [Int]) -> Bool {
        let deficit = bounds.min - regionWeight[r]
        var candidates: [(node: Int, from: Int)] = []
        for node in 0..<graph.count where region[node] >= 0 && region[node] != r && !visited.contains(region[node]) && graph.weight[node] > 0 {
            if graph.neighbours[node].contains(where: { region[$0.node] == r }) { candidates.append((node, region[node])) }
        }
        candidates.sort { (graph.weight[$0.node], $0.node) < (graph.weight[$1.node], $1.node) }
        var tried = 0
        for candidate in candidates {
            let w = graph.weight[candidate.node]
            guard w >= deficit, regionWeight[r] + w <= bounds.max else { continue }
            guard isContiguous(region: candidate.from, without: candidate.node, in: region) else { continue }
            tried += 1
            if tried > 4 { break }
            region[candidate.node] = r
            regionWeight[r] += w
            regionWeight[candidate.from] -= w
            if regionWeight[candidate.from] >= bounds.min { return true }
            if depth < 2 {
                visited.insert(candidate.from)
                if pull(into: candidate.from, depth: depth + 1, visited: &visited, region: &region, regionWeight: &regionWeight) { return true }
                visited.remove(candidate.from)
            }
            region[candidate.node] = candidate.from
            regionWeight[r] -= w
            regionWeight[candidate.from] += w
        }
        return false
    }

    private func isContiguous(region r: Int, without removed: Int, in region: [Int]) -> Bool {
        let members = (0..<graph.count).filter { region[$0] == r && $0 != removed }
        guard let start = members.first else { return false }
        return graph.holdsTogether(from: start, size: members.count) { $0 != removed && region[$0] == r }
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
