import GeometryEngine

/// The cell graph: the planar adjacency of cells (faces, pieces, groups of pieces) that every
/// stage grows, balances and checks regions on. Weights are households, edges carry the
/// length of the boundary two cells share; area, perimeter and centroid make compactness and
/// reading order computable for any group of cells without geometry.
struct CellGraph {
    var weight: [Int]
    var area: [Double]
    var perimeter: [Double]
    var centroid: [XY]
    /// Edges a region may grow across, sorted by neighbour; `length` is how much boundary
    /// counts as shared (a street's at `CommunityPartitioner.streetTie`).
    var neighbours: [[(node: Int, length: Double)]]
    /// Edges across arterial roads: used only to attach land without households.
    var barrierNeighbours: [[(node: Int, length: Double)]]

    var count: Int { weight.count }

    /// The graph of groups of `self`'s nodes (`group[node]` in 0..<groups): weights summed,
    /// internal boundaries dropped, centroids weighted by area.
    func contracted(_ group: [Int], groups: Int) -> CellGraph {
        var weight = [Int](repeating: 0, count: groups)
        var area = [Double](repeating: 0, count: groups)
        var perimeter = [Double](repeating: 0, count: groups)
        var sx = [Double](repeating: 0, count: groups), sy = sx
        for node in 0..<count {
            let g = group[node]
            weight[g] += self.weight[node]
            area[g] += self.area[node]
            perimeter[g] += self.perimeter[node]
            sx[g] += centroid[node].x * self.area[node]
            sy[g] += centroid[node].y * self.area[node]
        }
        func contract(_ lists: [[(node: Int, length: Double)]], dropInternal: Bool) -> [[(node: Int, length: Double)]] {
            var merged = [[Int: Double]](repeating: [:], count: groups)
            for node in 0..<count {
                for edge in lists[node] {
                    let a = group[node], b = group[edge.node]
                    if a == b {
                        if dropInternal { perimeter[a] -= edge.length }
                    } else {
                        merged[a][b, default: 0] += edge.length
                    }
                }
            }
            return merged.map { $0.sorted { $0.key < $1.key }.map { (node: $0.key, length: $0.value) } }
        }
        let neighbours = contract(self.neighbours, dropInternal: true)
        let barriers = contract(barrierNeighbours, dropInternal: true)
        let centroids = (0..<groups).map { area[$0] > 0 ? XY(sx[$0] / area[$0], sy[$0] / area[$0]) : XY(0, 0) }
        return CellGraph(weight: weight, area: area, perimeter: perimeter.map { Swift.max($0, 0) }, centroid: centroids,
                         neighbours: neighbours, barrierNeighbours: barriers)
    }

    /// The subgraph on `nodes`, renumbered in their order.
    func induced(_ nodes: [Int]) -> CellGraph {
        var position: [Int: Int] = [:]
        for (i, node) in nodes.enumerated() { position[node] = i }
        func keep(_ list: [(node: Int, length: Double)]) -> [(node: Int, length: Double)] {
            list.compactMap { edge in position[edge.node].map { (node: $0, length: edge.length) } }
        }
        return CellGraph(weight: nodes.map { weight[$0] }, area: nodes.map { area[$0] }, perimeter: nodes.map { perimeter[$0] },
                         centroid: nodes.map { centroid[$0] }, neighbours: nodes.map { keep(neighbours[$0]) },
                         barrierNeighbours: nodes.map { keep(barrierNeighbours[$0]) })
    }

    /// Lists the neighbours of `node` a region may grow to, and across arterial roads too when
    /// `acrossBarriers` (see `CellWalk.Neighbours`).
    func neighbours(acrossBarriers: Bool = false) -> CellWalk.Neighbours {
        { node, into in
            for edge in neighbours[node] { into.append(edge.node) }
            if acrossBarriers { for edge in barrierNeighbours[node] { into.append(edge.node) } }
        }
    }

    /// The component of each of the first `count` nodes (numbered from 0 in order of their
    /// smallest node), walking only among them.
    func componentLabels(count: Int, acrossBarriers: Bool) -> [Int] {
        var label = [Int](repeating: -1, count: count)
        var seen: Set<Int> = []
        var next = 0
        for start in 0..<count where label[start] < 0 {
            for node in CellWalk.reach(from: start, seen: &seen, admit: { $0 < count }, neighbours: neighbours(acrossBarriers: acrossBarriers)) {
                label[node] = next
            }
            next += 1
        }
        return label
    }

    /// The connected parts of the graph (not across arterials), each sorted, by smallest node.
    func components() -> [[Int]] {
        CellWalk.components(of: Array(0..<count), neighbours: neighbours())
    }

    /// Whether the nodes for which `isMember` holds, `start` among them, number `size` and hold together.
    func holdsTogether(from start: Int, size: Int, isMember: (Int) -> Bool) -> Bool {
        var seen: Set<Int> = []
        return CellWalk.reach(from: start, seen: &seen, admit: isMember, neighbours: neighbours()).count == size
    }
}
