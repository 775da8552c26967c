import DistrictModel
import GeometryEngine

/// A grid cut into micro-grids (stage "micro-grids"): the faces and pieces of each, before codes.
struct MicroCut {
    var faces: [[Int]] = []
    var pieces: [[Int]] = []
    /// Households of each group of pieces the micro-grids were balanced on.
    var groupWeights: [Int] = []
    /// Households a micro-grid aims at instead of the bounds' target, when the grid would need
    /// more than 99 micro-grids (the most a 2-digit code numbers).
    var tooManyMicroGrids: Int?
    /// Whether trying every cut showed that the grid's buildings, as they lie, make no
    /// micro-grids that are each one piece and within the bounds.
    var unsplittable = false
}

extension CommunityPartitioner {
    /// Cuts `draft` into micro-grids: its pieces grouped (a building that fits one stays
    /// whole), the groups balanced within the micro-grid bounds, land without a piece given to
    /// the micro-grid beside it, each micro-grid made one piece of land.
    func microCut(_ draft: Draft, level: GridLevel, tessellation: CommunityTessellation, context: GEOSContext) throws -> MicroCut {
        var cut = MicroCut()
        if draft.kind == .dedicated || draft.pieces.isEmpty {
            cut.faces = [draft.faces]
            cut.pieces = [draft.pieces]
        } else {
            balanceMicroGrids(draft, level: level, into: &cut)
        }
        // Land the grid holds without its piece (a detached part of a cell, joined to this grid
        // by joinDetachedParts) goes to the micro-grid beside it.
        let covered = Set(cut.faces.joined())
        Self.attachOrphans(draft.faces.filter { !covered.contains($0) }, to: &cut.faces, tessellation: tessellation)
        if draft.kind != .dedicated {
            _ = try Self.joinDetachedParts(&cut.faces, &cut.pieces, weight: level.pieceWeight, facePiece: level.facePiece,
                                           tessellation: tessellation, context: context)
        }
        // A micro-grid left without land (emptied by joinDetachedParts, or of pieces whose
        // faces all went to another grid: land without households) is dropped; any pieces it
        // kept ride with the first micro-grid that has land.
        if let host = cut.faces.firstIndex(where: { !$0.isEmpty }), cut.faces.contains(where: \.isEmpty) {
            for m in cut.faces.indices where cut.faces[m].isEmpty { cut.pieces[host] += cut.pieces[m] }
            let kept = cut.faces.indices.filter { !cut.faces[$0].isEmpty }
            cut.faces = kept.map { cut.faces[$0] }
            cut.pieces = kept.map { cut.pieces[$0] }
        }
        return cut
    }

    /// Balances the groups of `draft`'s pieces within the micro-grid bounds. Micro-grid codes
    /// have two digits, so a grid holds at most 99 micro-grids: a village too large for that
    /// gets micro-grids of more households, each reported.
    private func balanceMicroGrids(_ draft: Draft, level: GridLevel, into cut: inout MicroCut) {
        let sub = level.pieceGraph.induced(draft.pieces)
        let groups = microGroups(draft.pieces, members: level.members)
        let groupGraph = sub.contracted(groups.group, groups: groups.count)
        cut.groupWeights = groupGraph.weight
        var bounds = options.microBounds
        let total = groupGraph.weight.reduce(0, +)
        if total > 95 * bounds.target {
            let target = (total + 94) / 95
            bounds = HouseholdBounds(min: max(bounds.min, target * 3 / 4), target: target, max: max(bounds.max, target * 5 / 4))
            cut.tooManyMicroGrids = target
        }
        let balancer = RegionBalancer(graph: groupGraph, bounds: bounds)
        let regions = balancer.regions()
        var regionWeights: [Int: Int] = [:]
        for (node, r) in regions.enumerated() { regionWeights[r, default: 0] += groupGraph.weight[node] }
        if regionWeights.values.contains(where: { !bounds.contains($0) }) {
            let search = balancer.searchedExhaustively()
            cut.unsplittable = search.complete && search.regions == nil
        }
        let count = (regions.max() ?? 0) + 1
        for m in 0..<count {
            let pieces = draft.pieces.indices.filter { regions[groups.group[$0]] == m }.map { draft.pieces[$0] }
            cut.pieces.append(pieces)
            let set = Set(pieces)
            cut.faces.append(draft.faces.filter { set.contains(level.facePiece[$0]) })
        }
    }
}
