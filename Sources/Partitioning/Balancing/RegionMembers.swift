/// A cut of a cell graph into regions with the nodes of each region listed in ascending order,
/// both kept up to date as units move: a question about a region costs its size, not the whole
/// graph's, and visits its units in the order a scan of every node would (so that ties break
/// as they did when every question scanned the graph).
struct RegionMembers {
    /// The region of each node; -1 for a node in none yet.
    private(set) var region: [Int]
    /// The nodes of each region, ascending.
    private var lists: [[Int]]
    /// Per region, whether it is known to be one piece (through `CellGraph.neighbours`): the
    /// check that a unit may leave walks only from the unit's neighbours then.
    private var connected: [Bool]
    /// Per node, the nodes that list it among their neighbours: the units beside a region.
    let incoming: [[Int]]
    /// Whether every edge of `graph.neighbours` is listed both ways, so that a walk from a
    /// unit's neighbours can stand for a walk of its whole region.
    private let symmetric: Bool

    /// The cut `region` into `count` regions (numbered 0..<count; -1 for a node in none).
    init(_ region: [Int], count: Int, graph: CellGraph) {
        self.region = region
        lists = [[Int]](repeating: [], count: count)
        var incoming = [[Int]](repeating: [], count: graph.count)
        for node in 0..<graph.count {
            if region[node] >= 0 { lists[region[node]].append(node) }
            for edge in graph.neighbours[node] { incoming[edge.node].append(node) }
        }
        self.incoming = incoming
        symmetric = (0..<graph.count).allSatisfy { incoming[$0] == graph.neighbours[$0].map(\.node) }
        connected = [Bool](repeating: false, count: count)
        for r in 0..<count { connected[r] = Self.holdsTogether(lists[r], graph: graph) }
    }

    /// The nodes of region `r`, ascending.
    subscript(r: Int) -> [Int] { r < lists.count ? lists[r] : [] }

    /// Calls `visit` with every unit of `regions` and every unit with an edge into one of them
    /// (some more than once): the units whose moves a change to those regions can change.
    func forEachUnit(inOrBeside regions: [Int], _ visit: (Int) -> Void) {
        for r in regions where r >= 0 {
            for node in self[r] {
                visit(node)
                for other in incoming[node] where region[other] >= 0 { visit(other) }
            }
        }
    }

    /// Moves `node` to region `to`, and records whether the two regions are still one piece each.
    mutating func move(_ node: Int, to: Int, graph: CellGraph) {
        let from = region[node]
        if from >= 0 {
            let fromStays = isContiguous(region: from, without: node, graph: graph)
            lists[from].remove(at: position(of: node, in: lists[from]))
            connected[from] = fromStays
        }
        let joins = lists[to].isEmpty || (symmetric && connected[to] && graph.neighbours[node].contains { region[$0.node] == to })
        lists[to].insert(node, at: position(of: node, in: lists[to]))
        region[node] = to
        connected[to] = joins || Self.holdsTogether(lists[to], graph: graph)
    }

    /// Puts every node of region `from` in region `into`.
    mutating func merge(_ from: Int, into: Int, graph: CellGraph) {
        for node in lists[from] { region[node] = into }
        lists[into] = (lists[into] + lists[from]).sorted()
        lists[from] = []
        connected[into] = Self.holdsTogether(lists[into], graph: graph)
        connected[from] = false
    }

    /// Whether region `r` stays one piece (and not empty) without `removed`, one of its nodes.
    /// For a region known to be one piece, it is enough that the neighbours `removed` has in
    /// it still reach one another: the walk starts at the first and stops once all are found.
    func isContiguous(region r: Int, without removed: Int, graph: CellGraph) -> Bool {
        let members = self[r]
        guard members.count > 1 else { return false }
        guard symmetric, connected[r] else {
            return Self.holdsTogether(members.filter { $0 != removed }, graph: graph)
        }
        var targets: Set<Int> = []
        for edge in graph.neighbours[removed] where region[edge.node] == r && edge.node != removed { targets.insert(edge.node) }
        guard let start = graph.neighbours[removed].first(where: { targets.contains($0.node) })?.node else { return false }
        var found = 0
        var seen: Set<Int> = [removed]
        _ = CellWalk.reach(from: start, seen: &seen, admit: { region[$0] == r }, stop: { node in
            if targets.contains(node) { found += 1 }
            return found == targets.count
        }, neighbours: graph.neighbours())
        return found == targets.count
    }

    /// Whether `nodes` (a region's, ascending) are one piece through `graph.neighbours`; not when empty.
    private static func holdsTogether(_ nodes: [Int], graph: CellGraph) -> Bool {
        guard let start = nodes.first else { return false }
        let members = Set(nodes)
        return graph.holdsTogether(from: start, size: nodes.count, isMember: members.contains)
    }

    /// The index of `node` in the ascending `list`, or where it would go (a region's size:
    /// the insertion shifts as many anyway).
    private func position(of node: Int, in list: [Int]) -> Int {
        list.firstIndex { $0 >= node } ?? list.count
    }
}
