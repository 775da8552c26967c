import DistrictModel
import GeometryEngine
import GridSchema

/// What the partition of one community gives: its grids (coded, in the working CRS), where
/// its buildings went, and what a planner should know.
struct CommunityOutcome: Sendable {
    var grids: [Grid] = []
    var assignments: [BuildingAssignment] = []
    var findings: [PartitionFinding] = []
    /// Buildings of the community with households (or some) in no grid.
    var unplaced: [UnplacedBuilding] = []
    var statistics = PartitionStatistics()
    var polsbyPopper: [Double] = []
    var timings = StageTimings()
}

/// Partitions one community, stage by stage (docs/architecture.md): blocks and cells
/// (`CommunityTessellation`), the cell graph and grids (`gridLevel`, compared several ways:
/// `bestLevel`), dedicated grids and reasons (`finalDrafts`), then per grid in code order its
/// micro-grids (`microCut`) and its records (`record`), and last the assignments.
struct CommunityPartitioner {
    let input: CommunityInput
    let options: PartitionOptions

    /// How much of a boundary along a street (not an arterial) counts as shared when regions
    /// grow and cuts are compared: on the OSM samples and the generated districts, 0.25 puts
    /// 5-20 % fewer street metres inside grids than 1 (no preference) and grids are as compact
    /// or more; 0.5 keeps more streets inside, 0 leaves micro-grids less balanced.
    static let streetTie = 0.25

    /// What a grid whose pieces cannot make micro-grids within the bounds by weight costs, in
    /// Polsby-Popper, when ways of cutting a community are compared (`bestLevel`). At 0.1-0.3 the
    /// land apart from big buildings' slices won more often: mean Polsby-Popper of ten OSM-based
    /// districts 0.548 against 0.538, but 4-5 points fewer micro-grids in bounds in the Shanghai
    /// variants (81 % against 84-87 %); at 0.6-2 the figures are the same as at 1.
    static let unpackedCost = 1.0

    /// What putting all of a community's street metres between blocks inside grids costs, in
    /// mean Polsby-Popper, in the same comparison. Without it, the land apart from slices put
    /// 25 % of the streets inside grids on the 30,000-household district (22 % before) and 40 %
    /// on the 12,000-household one; at 0.3, 24 % and 39 %, for 0.011 of the sum of ten OSM-based
    /// districts' means (5.366 against 5.377); at 0.1, 24 % and 40 %.
    static let streetCost = 0.3

    /// One building (or slice) inside a piece: a piece is one cell or slice, or a block without buildings.
    struct Member {
        var building: Int
        var slice: Int
        var households: Int
    }

    /// A grid before its code: its faces and pieces, and why it is out of bounds, if it is.
    struct Draft {
        var faces: [Int]
        var pieces: [Int]
        var kind: Grid.Kind
        var site: Int?
        var households: Int
        var reason: BoundsReason?
    }

    func run(context: GEOSContext) throws -> CommunityOutcome {
        let start = ContinuousClock.now
        var timings = StageTimings()
        let first = try CommunityTessellation(input, microMin: options.microMin, microMax: options.microMax, gridMax: options.gridMax,
                                              cutsUnits: options.cutsUnits, context: context, timings: &timings)
        let (tessellation, level) = try bestLevel(first, context: context, timings: &timings)
        let drafts = timings.measure(.grids) { finalDrafts(level, tessellation: tessellation) }
        var outcome = CommunityOutcome()
        var sheet = AssignmentSheet()
        let community = try CommunityCode(parsing: input.community.code)
        for (sequence, draftIndex) in Self.readingOrder(drafts, faces: tessellation.faces).enumerated() {
            let draft = drafts[draftIndex]
            guard let gridCode = GridCode(community: community, sequence: sequence + 1) else {
                throw PartitionError("\(drafts.count) grids, more than the 999 a 3-digit sequence numbers: split the community",
                                     featureID: input.community.code)
            }
            let cut = try timings.measure(.microGrids) { try microCut(draft, level: level, tessellation: tessellation, context: context) }
            try timings.measure(.codes) {
                try record(draft, code: gridCode, cut: cut, level: level, tessellation: tessellation, into: &outcome, sheet: &sheet,
                           context: context)
            }
        }
        timings.measure(.codes) {
            recordAssignments(sheet, tessellation: tessellation, into: &outcome)
            recordStreets(drafts, tessellation: tessellation, into: &outcome)
        }
        outcome.statistics.communities = 1
        outcome.statistics.households = input.buildings.reduce(0) { $0 + $1.building.households }
        outcome.statistics.buildings = input.buildings.count
        timings.record(CommunityTiming(code: input.community.code, buildings: input.buildings.count,
                                       seconds: StageTimings.seconds(since: start)))
        outcome.timings = timings
        return outcome
    }

    /// The community grown several ways, and the best kept: fewest grids out of bounds, then
    /// the highest mean Polsby-Popper, less `unpackedCost` per grid whose pieces make no
    /// micro-grids in bounds and `streetCost` for the share of streets inside grids; at a tie,
    /// the first. The ways:
    /// - a big building's land with each of its slices, or apart (`FaceOwner.sliceLand`);
    /// - a dedicated site's cells in the blocks beside it (`FaceOwner.siteCell`) with the
    ///   site, cut off from the graph as the site is, so that no grid wraps a ring round it;
    ///   as land regions may pass through, which the site takes where a region stays one
    ///   piece without it; or to the buildings beside them, as if the site had no cell. A
    ///   cell between two groups of buildings takes the way round the site from them, and
    ///   the first can leave a building no neighbours to make a grid in bounds with.
    private func bestLevel(_ tessellation: CommunityTessellation, context: GEOSContext,
                           timings: inout StageTimings) throws -> (CommunityTessellation, GridLevel) {
        var candidates: [CommunityTessellation] = []
        if tessellation.faces.contains(where: \.owner.isSliceLand) {
            var joined = tessellation
            joined.joinSliceLand()
            candidates.append(joined)
        }
        candidates.append(tessellation)
        var best: (tessellation: CommunityTessellation, level: GridLevel)?
        for candidate in candidates {
            var tried = [(candidate, try gridLevel(candidate, cellsJoinSites: true, context: context, timings: &timings))]
            if candidate.faces.contains(where: \.owner.isSiteCell) {
                tried.append((candidate, try gridLevel(candidate, cellsJoinSites: false, context: context, timings: &timings)))
                var ring = candidate
                ring.giveSiteCellsToBuildings()
                tried.append((ring, try gridLevel(ring, cellsJoinSites: true, context: context, timings: &timings)))
            }
            for (t, level) in tried where best == nil || better(level, than: best!.level) { best = (t, level) }
        }
        return (best!.tessellation, best!.level)
    }

    private func better(_ a: GridLevel, than b: GridLevel) -> Bool {
        let (outA, outB) = (a.outOfBounds(options.gridBounds), b.outOfBounds(options.gridBounds))
        if outA != outB { return outA < outB }
        func score(_ l: GridLevel) -> Double {
            l.compactness - Self.unpackedCost * Double(l.unpacked(options)) / Double(max(1, l.regions)) - Self.streetCost * l.streetInside
        }
        return score(a) > score(b) + 1e-9
    }

    /// The grids of the chosen level with the dedicated grids added (each site, each piece of
    /// it, on its own), land without households joined to a neighbour, and the reason of each
    /// grid out of bounds.
    private func finalDrafts(_ level: GridLevel, tessellation: CommunityTessellation) -> [Draft] {
        let faces = tessellation.faces
        var drafts = level.drafts
        var siteCells: [Int: [Int]] = [:]
        for f in faces.indices where level.facePiece[f] < 0 {
            switch faces[f].owner {
            case .site(let site), .siteCell(let site, _): siteCells[site, default: []].append(f)
            default: break
            }
        }
        for (site, taken) in level.taken { siteCells[site, default: []] += taken }
        for site in input.sites.indices {
            let siteFaces = (siteCells[site] ?? []).sorted()
            for part in tessellation.components(siteFaces) {
                let households = (level.siteBuildings[site] ?? []).filter { b in
                    guard let block = tessellation.buildingSite[b] else { return false }
                    return part.contains { faces[$0].block == block }
                }.reduce(0) { $0 + input.buildings[$1].building.households }
                drafts.append(Draft(faces: part, pieces: [], kind: .dedicated, site: site, households: households, reason: nil))
            }
        }
        Self.absorbEmptyDrafts(&drafts, tessellation: tessellation)
        explainGrids(&drafts, pieceGraph: level.pieceGraph, pieceRegions: level.pieceRegions, members: level.members)
        return drafts
    }

    /// Indices of `drafts` in code order: row bands north to south, west to east within a band.
    private static func readingOrder(_ drafts: [Draft], faces: [CommunityTessellation.Face]) -> [Int] {
        let totalArea = faces.reduce(0) { $0 + $1.area }
        let band = max(1, (totalArea / Double(max(1, drafts.count))).squareRoot())
        let top = faces.map { $0.centroid.y }.max() ?? 0
        return ordered(drafts.indices.map { centroid(of: drafts[$0].faces, faces: faces) }, band: band, top: top)
    }

    /// Why building `b` of the community, or a slice of it, has no grid: it stands in no street
    /// block, in the block of a dedicated site whose grid does not take that block, or in a
    /// block none of whose pieces it rides with.
    static func unplacedReason(of b: Int, tessellation: CommunityTessellation) -> UnplacedReason {
        guard let block = tessellation.buildingSite[b] else { return .noStreetBlock }
        return tessellation.blockSite[block] != nil ? .dedicatedSite : .noCell
    }

    // MARK: Helpers

    func nearestPiece(to footprint: Geometry, block: Int, faces: [CommunityTessellation.Face], pieceIndex: [FaceOwner: Int]) -> Int? {
        guard let center = footprint.envelope?.center else { return nil }
        var best: (piece: Int, distance: Double)?
        for face in faces where face.block == block {
            guard let piece = pieceIndex[face.owner] else { continue }
            let d = PlaneMath.distance(center, face.centroid)
            if best == nil || d < best!.distance { best = (piece, d) }
        }
        return best?.piece
    }

    static func centroid(of faceIndices: [Int], faces: [CommunityTessellation.Face]) -> XY {
        var sx = 0.0, sy = 0.0, total = 0.0
        for f in faceIndices {
            sx += faces[f].centroid.x * faces[f].area
            sy += faces[f].centroid.y * faces[f].area
            total += faces[f].area
        }
        return total > 0 ? XY(sx / total, sy / total) : XY(0, 0)
    }

    /// Indices of `centroids` in reading order: bands of height `band` from `top` down, west to east in each.
    static func ordered(_ centroids: [XY], band: Double, top: Double) -> [Int] {
        centroids.indices.sorted { a, b in
            let ra = Int(((top - centroids[a].y) / band).rounded(.down)), rb = Int(((top - centroids[b].y) / band).rounded(.down))
            if ra != rb { return ra < rb }
            if centroids[a].x != centroids[b].x { return centroids[a].x < centroids[b].x }
            return a < b
        }
    }

    /// The union of faces: they form a coverage (see `CommunityTessellation`). See `GEOSCoverageUnion_r`.
    static func union(_ faceIndices: [Int], faces: [CommunityTessellation.Face], context: GEOSContext) throws -> Geometry {
        if faceIndices.count == 1 { return .polygon(faces[faceIndices[0]].polygon) }
        let parts = try faceIndices.map { try GEOSObject(.polygon(faces[$0].polygon), context: context) }
        return try GEOSObject.collection(parts, type: .multiPolygon, context: context).coverageUnion().geometry()
    }
}
