import DistrictModel
import GeometryEngine

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
}

/// Partitions one community: tessellation, balanced grids, balanced micro-grids, codes.
struct CommunityPartitioner {
    let input: CommunityInput
    let options: PartitionOptions

    /// How much of a boundary along a street (not an arterial) counts as shared when regions
    /// grow and cuts are compared: on the OSM samples and the generated districts, 0.25 puts
    /// 5-20 % fewer street metres inside grids than 1 (no preference) and grids are as compact
    /// or more; 0.5 keeps more streets inside, 0 leaves micro-grids less balanced.
    static let streetTie = 0.25

    /// What a grid whose pieces cannot make micro-grids within the bounds by weight costs, in
    /// Polsby-Popper, when ways of cutting a community are compared (`run`). At 0.1-0.3 the
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
    private struct Member {
        var building: Int
        var slice: Int
        var households: Int
    }

    private struct Draft {
        var faces: [Int]
        var pieces: [Int]
        var kind: Grid.Kind
        var site: Int?
        var households: Int
        var reason: String?
        /// Whether the data leave no way to be in bounds (the reason says why).
        var forcedByData = false
    }

    func run(context: GEOSContext) throws -> CommunityOutcome {
        var tessellation = try CommunityTessellation(input, microMin: options.microMin, microMax: options.microMax, gridMax: options.gridMax, cutsUnits: options.cutsUnits, context: context)
        let code = input.community.code

        // The community is grown several ways, and the best kept: fewest grids out of bounds,
        // then the highest mean Polsby-Popper, less `unpackedCost` per grid whose pieces make no
        // micro-grids in bounds and `streetCost` for the share of streets inside grids; at a
        // tie, the first. The ways:
        // - a big building's land with each of its slices, or apart (`FaceOwner.sliceLand`);
        // - a dedicated site's cells in the blocks beside it (`FaceOwner.siteCell`) with the
        //   site, cut off from the graph as the site is, so that no grid wraps a ring round it;
        //   as land regions may pass through, which the site takes where a region stays one
        //   piece without it; or to the buildings beside them, as if the site had no cell. A
        //   cell between two groups of buildings takes the way round the site from them, and
        //   the first can leave a building no neighbours to make a grid in bounds with.
        func better(_ a: GridLevel, than b: GridLevel) -> Bool {
            let (outA, outB) = (a.outOfBounds(options.gridBounds), b.outOfBounds(options.gridBounds))
            if outA != outB { return outA < outB }
            func score(_ l: GridLevel) -> Double {
                l.compactness - Self.unpackedCost * Double(l.unpacked(options)) / Double(max(1, l.regions)) - Self.streetCost * l.streetInside
            }
            return score(a) > score(b) + 1e-9
        }
        var candidates: [CommunityTessellation] = []
        if tessellation.faces.contains(where: \.owner.isSliceLand) {
            var joined = tessellation
            joined.joinSliceLand()
            candidates.append(joined)
        }
        candidates.append(tessellation)
        var best: (tessellation: CommunityTessellation, level: GridLevel)?
        for candidate in candidates {
            var tried = [(candidate, try gridLevel(candidate, cellsJoinSites: true, context: context))]
            if candidate.faces.contains(where: \.owner.isSiteCell) {
                tried.append((candidate, try gridLevel(candidate, cellsJoinSites: false, context: context)))
                var ring = candidate
                ring.giveSiteCellsToBuildings()
                tried.append((ring, try gridLevel(ring, cellsJoinSites: true, context: context)))
            }
            for (t, level) in tried where best == nil || better(level, than: best!.level) { best = (t, level) }
        }
        tessellation = best!.tessellation
        let level = best!.level
        let faces = tessellation.faces
        let (owners, members, siteBuildings, facePiece, pieceWeight, pieceGraph, pieceRegions) =
            (level.owners, level.members, level.siteBuildings, level.facePiece, level.pieceWeight, level.pieceGraph, level.pieceRegions)
        var drafts = level.drafts
        var siteCells: [Int: [Int]] = [:]
        for f in faces.indices where facePiece[f] < 0 {
            switch faces[f].owner {
            case .site(let site), .siteCell(let site, _): siteCells[site, default: []].append(f)
            default: break
            }
        }
        for (site, taken) in level.taken { siteCells[site, default: []] += taken }
        // Dedicated grids: each site (each piece of it) on its own.
        for site in input.sites.indices {
            let siteFaces = (siteCells[site] ?? []).sorted()
            for part in tessellation.components(siteFaces) {
                let households = (siteBuildings[site] ?? []).filter { b in
                    guard let block = tessellation.buildingSite[b] else { return false }
                    return part.contains { faces[$0].block == block }
                }.reduce(0) { $0 + input.buildings[$1].building.households }
                drafts.append(Draft(faces: part, pieces: [], kind: .dedicated, site: site, households: households, reason: nil))
            }
        }
        Self.absorbEmptyDrafts(&drafts, tessellation: tessellation)
        explainGrids(&drafts, pieceGraph: pieceGraph, pieceRegions: pieceRegions, members: members)

        // Codes: row bands north to south, west to east within a band.
        let totalArea = faces.reduce(0) { $0 + $1.area }
        let band = max(1, (totalArea / Double(max(1, drafts.count))).squareRoot())
        let top = faces.map { $0.centroid.y }.max() ?? 0
        let ordered = Self.ordered(drafts.indices.map { Self.centroid(of: drafts[$0].faces, faces: faces) }, band: band, top: top)

        var outcome = CommunityOutcome()
        var buildingRows: [Int: [(grid: String, micro: String, households: Int)]] = [:]
        for (sequence, draftIndex) in ordered.enumerated() {
            let draft = drafts[draftIndex]
            let gridCode = code + String(format: "%03d", sequence + 1)
            var micros: [MicroGrid] = []
            var microFaces: [[Int]] = []
            var microPieces: [[Int]] = []
            var microGroupWeights: [Int] = []
            var tooManyMicroGrids: Int?
            // Whether trying every cut showed that the grid's buildings, as they lie, make no
            // micro-grids that are each one piece and within the bounds.
            var unsplittable = false
            if draft.kind == .dedicated || draft.pieces.isEmpty {
                microFaces = [draft.faces]
                microPieces = [draft.pieces]
            } else {
                let sub = pieceGraph.induced(draft.pieces)
                let groups = microGroups(draft.pieces, members: members)
                let groupGraph = sub.contracted(groups.group, groups: groups.count)
                microGroupWeights = groupGraph.weight
                // Micro-grid codes have two digits, so a grid holds at most 99 micro-grids: a
                // village too large for that gets micro-grids of more households, each reported.
                var bounds = options.microBounds
                let total = groupGraph.weight.reduce(0, +)
                if total > 95 * bounds.target {
                    let target = (total + 94) / 95
                    bounds = HouseholdBounds(min: max(bounds.min, target * 3 / 4), target: target, max: max(bounds.max, target * 5 / 4))
                    tooManyMicroGrids = target
                }
                let balancer = RegionBalancer(graph: groupGraph, bounds: bounds)
                let regions = balancer.regions()
                var regionWeights: [Int: Int] = [:]
                for (node, r) in regions.enumerated() { regionWeights[r, default: 0] += groupGraph.weight[node] }
                if regionWeights.values.contains(where: { !bounds.contains($0) }) {
                    let search = balancer.searchedExhaustively()
                    unsplittable = search.complete && search.regions == nil
                }
                let count = (regions.max() ?? 0) + 1
                for m in 0..<count {
                    let pieces = draft.pieces.indices.filter { regions[groups.group[$0]] == m }.map { draft.pieces[$0] }
                    microPieces.append(pieces)
                    let set = Set(pieces)
                    microFaces.append(draft.faces.filter { set.contains(facePiece[$0]) })
                }
            }
            // Land the grid holds without its piece (a detached part of a cell, joined to this grid
            // by joinDetachedParts) goes to the micro-grid beside it.
            let covered = Set(microFaces.joined())
            Self.attachOrphans(draft.faces.filter { !covered.contains($0) }, to: &microFaces, tessellation: tessellation)
            if draft.kind != .dedicated {
                _ = try Self.joinDetachedParts(&microFaces, &microPieces, weight: pieceWeight, facePiece: facePiece, tessellation: tessellation,
                                               context: context)
            }
            // A micro-grid left without land (emptied by joinDetachedParts, or of pieces whose
            // faces all went to another grid: land without households) is dropped; any pieces it
            // kept ride with the first micro-grid that has land.
            if let host = microFaces.firstIndex(where: { !$0.isEmpty }), microFaces.contains(where: \.isEmpty) {
                for m in microFaces.indices where microFaces[m].isEmpty { microPieces[host] += microPieces[m] }
                let kept = microFaces.indices.filter { !microFaces[$0].isEmpty }
                microFaces = kept.map { microFaces[$0] }
                microPieces = kept.map { microPieces[$0] }
            }
            let microCentroids = microFaces.map { Self.centroid(of: $0, faces: faces) }
            let microArea = microFaces.map { $0.reduce(0) { $0 + faces[$1].area } }
            let microBand = max(1, (microArea.reduce(0, +) / Double(max(1, microFaces.count))).squareRoot())
            let microOrder = Self.ordered(microCentroids, band: microBand, top: microFaces.flatMap { $0 }.map { faces[$0].centroid.y }.max() ?? 0)
            var gridBuildings: Set<Int> = []
            var microPolygons: [GEOSObject] = []
            for (microSequence, m) in microOrder.enumerated() {
                let microCode = gridCode + String(format: "%02d", microSequence + 1)
                let geometry = try Self.union(microFaces[m], faces: faces, context: context)
                microPolygons.append(try GEOSObject(geometry, context: context))
                var households = 0
                var buildings: Set<Int> = []
                if draft.kind == .dedicated {
                    for b in siteBuildings[draft.site!] ?? [] {
                        guard let block = tessellation.buildingSite[b], draft.faces.contains(where: { faces[$0].block == block }) else { continue }
                        households += input.buildings[b].building.households
                        buildings.insert(b)
                        buildingRows[b, default: []].append((gridCode, microCode, input.buildings[b].building.households))
                    }
                } else {
                    var perBuilding: [Int: Int] = [:]
                    for p in microPieces[m] {
                        for member in members[p] { perBuilding[member.building, default: 0] += member.households }
                    }
                    for b in perBuilding.keys.sorted() {
                        households += perBuilding[b]!
                        buildings.insert(b)
                        buildingRows[b, default: []].append((gridCode, microCode, perBuilding[b]!))
                    }
                }
                gridBuildings.formUnion(buildings)
                micros.append(MicroGrid(code: microCode, gridCode: gridCode, households: households, buildings: buildings.count, geometry: geometry))
                if draft.kind != .dedicated {
                    outcome.statistics.residentialMicroGrids += 1
                    if options.microBounds.contains(households) {
                        outcome.statistics.residentialMicroGridsInBounds += 1
                    } else {
                        outcome.statistics.microGridsOutOfBounds += 1
                        let reason = tooManyMicroGrids.map {
                            "the grid's \(draft.households) households would need more than 99 micro-grids, the most a 2-digit code numbers: micro-grids of about \($0) households instead"
                        } ?? microReason(households: households, pieces: microPieces[m], members: members, gridHouseholds: draft.households,
                                         groupWeights: microGroupWeights, unsplittable: unsplittable)
                        if !reason.hasPrefix("could not") { outcome.statistics.microGridsOutOfBoundsByData += 1 }
                        outcome.findings.append(PartitionFinding(.microGridOutOfBounds, featureID: microCode,
                                                                 detail: "\(households) households (bounds \(options.microMin)-\(options.microMax)): \(reason)"))
                    }
                }
            }
            let gridGeometry = microPolygons.count == 1
                ? try microPolygons[0].geometry()
                : try GEOSObject.collection(microPolygons, type: .multiPolygon, context: context).coverageUnion().geometry()
            let grid = Grid(code: gridCode, communityCode: code, kind: draft.kind, households: draft.households,
                            buildings: gridBuildings.count, geometry: gridGeometry, microGrids: micros,
                            siteID: draft.site.map { input.sites[$0].id })
            if draft.kind == .residential {
                outcome.statistics.residentialGrids += 1
                if options.gridBounds.contains(draft.households) { outcome.statistics.residentialGridsInBounds += 1 }
                let area = try PlaneMath.area(geometryPolygon(gridGeometry))
                let perimeter = try geometryPolygon(gridGeometry).rings.reduce(0) { $0 + PlaneMath.length($1) }
                if perimeter > 0 { outcome.polsbyPopper.append(4 * Double.pi * area / (perimeter * perimeter)) }
            }
            if let reason = draft.reason {
                outcome.statistics.gridsOutOfBounds += 1
                if draft.forcedByData || draft.households < options.gridMin && !reason.hasPrefix("could not") {
                    outcome.statistics.gridsOutOfBoundsByData += 1
                }
                outcome.findings.append(PartitionFinding(.gridOutOfBounds, featureID: gridCode,
                                                         detail: "\(draft.households) households (bounds \(options.gridMin)-\(options.gridMax)): \(reason)"))
            }
            outcome.grids.append(grid)
        }

        // Assignments, and the buildings and compounds that had to be split.
        var gridsOfCompound: [String: Set<String>] = [:]
        for b in input.buildings.indices {
            // A building in no block, or a slice that found no piece to ride with, is in no grid:
            // counted here, with the reason, rather than lost from the grids' households.
            let placed = buildingRows[b]?.reduce(0) { $0 + $1.households } ?? 0
            if buildingRows[b] == nil || placed < input.buildings[b].building.households {
                outcome.unplaced.append(UnplacedBuilding(buildingID: input.buildings[b].building.id,
                                                         households: input.buildings[b].building.households - placed,
                                                         reason: Self.unplacedReason(of: b, tessellation: tessellation),
                                                         detail: "community \(code)"))
            }
            guard let rows = buildingRows[b] else { continue }
            var merged: [(grid: String, micro: String, households: Int)] = []
            for row in rows.sorted(by: { $0.micro < $1.micro }) {
                if let last = merged.last, last.micro == row.micro { merged[merged.count - 1].households += row.households } else { merged.append(row) }
            }
            let building = input.buildings[b].building
            for row in merged {
                outcome.assignments.append(BuildingAssignment(buildingID: building.id, gridCode: row.grid, microGridCode: row.micro, households: row.households))
            }
            if merged.count > 1 {
                outcome.statistics.buildingsSplit += 1
                outcome.findings.append(PartitionFinding(.buildingSplit, featureID: building.id,
                                                         detail: "\(building.households) households cut into \(tessellation.slices[b]) entrance units, in \(merged.count) micro-grids"))
            }
            if let compound = building.compound { gridsOfCompound[compound, default: []].formUnion(merged.map(\.grid)) }
        }
        for compound in gridsOfCompound.keys.sorted() where gridsOfCompound[compound]!.count > 1 {
            outcome.statistics.compoundsSplit += 1
            outcome.findings.append(PartitionFinding(.compoundSplit, featureID: compound,
                                                     detail: "too large for one grid: split along its buildings into \(gridsOfCompound[compound]!.count) grids"))
        }

        // Roads inside grids.
        var gridOfFace = [Int](repeating: -1, count: faces.count)
        for (index, draft) in drafts.enumerated() { for f in draft.faces { gridOfFace[f] = index } }
        for f in faces.indices {
            for edge in tessellation.edges[f] where edge.face > f {
                outcome.statistics.roadMetres += edge.street
                if gridOfFace[f] == gridOfFace[edge.face] && gridOfFace[f] >= 0 {
                    outcome.statistics.roadMetresCrossed += edge.street
                    outcome.statistics.arterialMetresCrossed += edge.arterial
                }
            }
        }
        outcome.statistics.communities = 1
        outcome.statistics.households = input.buildings.reduce(0) { $0 + $1.building.households }
        outcome.statistics.buildings = input.buildings.count
        return outcome
    }

    /// Why building `b` of the community, or a slice of it, has no grid: it stands in no street
    /// block, in the block of a dedicated site whose grid does not take that block, or in a
    /// block none of whose pieces it rides with.
    static func unplacedReason(of b: Int, tessellation: CommunityTessellation) -> UnplacedReason {
        guard let block = tessellation.buildingSite[b] else { return .noStreetBlock }
        return tessellation.blockSite[block] != nil ? .dedicatedSite : .noCell
    }

    private func geometryPolygon(_ geometry: Geometry) throws -> Polygon {
        geometry.polygons.first ?? Polygon(rings: [])
    }

    /// The grid level of a partition: pieces, their graph, and regions grown and balanced on it.
    private struct GridLevel {
        var owners: [FaceOwner]
        var members: [[Member]]
        var siteBuildings: [Int: [Int]]
        var facePiece: [Int]
        var pieceWeight: [Int]
        var pieceGraph: CellGraph
        var pieceRegions: [Int]
        var drafts: [Draft]
        /// Faces of sites' cells each site took from the regions (see `takeSiteCells`).
        var taken: [Int: [Int]]
        /// Mean Polsby-Popper of the regions with households, and how many they are.
        var compactness: Double
        var regions: Int
        /// Share of the street metres between blocks that lie inside a region.
        var streetInside: Double

        /// Regions out of bounds; one without households is land that joins a neighbour later.
        func outOfBounds(_ bounds: HouseholdBounds) -> Int { drafts.filter { $0.households > 0 && !bounds.contains($0.households) }.count }

        /// Regions in bounds whose pieces cannot make micro-grids within the bounds by weight
        /// (as the balancer counts them: `RegionBalancer.evaluate`).
        func unpacked(_ options: PartitionOptions) -> Int {
            drafts.filter { draft in
                guard options.gridBounds.contains(draft.households) else { return false }
                let weights = draft.pieces.map { pieceWeight[$0] }.filter { $0 > 0 }.sorted(by: >)
                return CommunityPartitioner.packs(weights, into: options.microBounds) == false
            }.count
        }
    }

    /// Grows the grids of the community on its pieces. With `cellsJoinSites`, the sites' cells
    /// in street blocks leave the graph with the sites; without, they are pieces of land.
    private func gridLevel(_ tessellation: CommunityTessellation, cellsJoinSites: Bool, context: GEOSContext) throws -> GridLevel {
        let faces = tessellation.faces
        func leavesGraph(_ owner: FaceOwner) -> Bool {
            switch owner {
            case .site: true
            case .siteCell: cellsJoinSites
            default: false
            }
        }
        // Pieces: every owner but the dedicated sites.
        var owners: [FaceOwner] = []
        var pieceIndex: [FaceOwner: Int] = [:]
        for face in faces {
            if leavesGraph(face.owner) { continue }
            if pieceIndex[face.owner] == nil { pieceIndex[face.owner] = 0; owners.append(face.owner) }
        }
        owners.sort()
        for (index, owner) in owners.enumerated() { pieceIndex[owner] = index }
        var members = [[Member]](repeating: [], count: owners.count)
        for (index, owner) in owners.enumerated() {
            if case .building(let b, let s) = owner { members[index].append(Member(building: b, slice: s, households: tessellation.sliceHouseholds[b][s])) }
        }
        // Buildings (or slices) left without a face of their own ride with their building's other
        // slices, or with the cell nearest to them in their block.
        var siteBuildings: [Int: [Int]] = [:]
        for b in input.buildings.indices {
            guard let block = tessellation.buildingSite[b] else { continue }
            if let site = tessellation.blockSite[block] {
                siteBuildings[site, default: []].append(b)
                continue
            }
            for s in 0..<tessellation.slices[b] where pieceIndex[.building(b, slice: s)] == nil {
                let host: Int? = (0..<tessellation.slices[b]).compactMap { pieceIndex[.building(b, slice: $0)] }.first
                    ?? nearestPiece(to: input.buildings[b].building.geometry, block: block, faces: faces, pieceIndex: pieceIndex)
                if let host { members[host].append(Member(building: b, slice: s, households: tessellation.sliceHouseholds[b][s])) }
            }
        }
        let pieceWeight = members.map { $0.reduce(0) { $0 + $1.households } }

        // The graph of pieces, from the faces.
        var faceGraph = CellGraph(weight: faces.map { _ in 0 }, area: faces.map(\.area), perimeter: faces.map(\.perimeter),
                                  centroid: faces.map(\.centroid), neighbours: [], barrierNeighbours: [])
        // Across a street two faces count as sharing a quarter of their boundary: regions grow
        // within a street block before they cross into the next, and cuts fall on streets.
        faceGraph.neighbours = faces.indices.map { f in
            tessellation.edges[f].filter { $0.arterial <= $0.length / 2 }.map { (node: $0.face, length: $0.length - (1 - Self.streetTie) * $0.street) }
        }
        faceGraph.barrierNeighbours = faces.indices.map { f in tessellation.edges[f].filter { $0.arterial > $0.length / 2 }.map { (node: $0.face, length: $0.length) } }
        let facePiece = faces.map { face -> Int in leavesGraph(face.owner) ? -1 : pieceIndex[face.owner]! }
        // Dedicated faces leave the graph: they join a throwaway group cut off from everything.
        let siteGroup = owners.count
        var cut = faceGraph
        for f in faces.indices {
            if facePiece[f] < 0 {
                cut.neighbours[f] = []
                cut.barrierNeighbours[f] = []
            } else {
                cut.neighbours[f].removeAll { facePiece[$0.node] < 0 }
                cut.barrierNeighbours[f].removeAll { facePiece[$0.node] < 0 }
            }
        }
        var pieceGraph = cut.contracted(facePiece.map { $0 < 0 ? siteGroup : $0 }, groups: owners.count + 1)
        pieceGraph.weight[siteGroup] = 0
        for p in owners.indices { pieceGraph.weight[p] = pieceWeight[p] }

        // Grids.
        var drafts: [Draft] = []
        let pieceRegions: [Int]
        if input.community.kind == .rural {
            pieceRegions = pieceGraph.componentLabels(count: owners.count, acrossBarriers: true)
        } else {
            let groups = gridGroups(owners: owners)
            let groupGraph = pieceGraph.contracted(groups.group + [groups.count], groups: groups.count + 1)
            let subgraph = groupGraph.induced(Array(0..<groups.count))
            var parts = [[Int]](repeating: [], count: groups.count)
            for p in owners.indices where pieceWeight[p] > 0 { parts[groups.group[p]].append(pieceWeight[p]) }
            let regions = RegionBalancer(graph: subgraph, bounds: options.gridBounds, parts: parts, partBounds: options.microBounds).regions()
            pieceRegions = owners.indices.map { regions[groups.group[$0]] }
        }
        let regionCount = (pieceRegions.max() ?? -1) + 1
        for r in 0..<regionCount {
            let pieces = owners.indices.filter { pieceRegions[$0] == r }
            let regionFaces = faces.indices.filter { facePiece[$0] >= 0 && pieceRegions[facePiece[$0]] == r }
            drafts.append(Draft(faces: regionFaces, pieces: pieces, kind: input.community.kind == .rural ? .rural : .residential, site: nil,
                                households: pieces.reduce(0) { $0 + pieceWeight[$1] }, reason: nil))
        }
        var draftFaces = drafts.map(\.faces), draftPieces = drafts.map(\.pieces)
        if try Self.joinDetachedParts(&draftFaces, &draftPieces, weight: pieceWeight, facePiece: facePiece, tessellation: tessellation,
                                      context: context) {
            let kind: Grid.Kind = input.community.kind == .rural ? .rural : .residential
            drafts = draftFaces.indices.filter { !draftFaces[$0].isEmpty }.map { r in
                Draft(faces: draftFaces[r], pieces: draftPieces[r], kind: kind, site: nil,
                      households: draftPieces[r].reduce(0) { $0 + pieceWeight[$1] }, reason: nil)
            }
        }
        let taken = cellsJoinSites ? [:] : try takeSiteCells(&drafts, owners: owners, facePiece: facePiece, tessellation: tessellation, context: context)
        // Street metres between blocks inside a region, as a share of all.
        var streetInside = 0.0, streets = 0.0
        var regionOf = [Int](repeating: -1, count: faces.count)
        for (d, draft) in drafts.enumerated() { for f in draft.faces { regionOf[f] = d } }
        for f in faces.indices {
            for edge in tessellation.edges[f] where edge.face > f && edge.street > 0 {
                streets += edge.street
                if regionOf[f] >= 0 && regionOf[f] == regionOf[edge.face] { streetInside += edge.street }
            }
        }
        var compactness = 0.0, counted = 0
        for draft in drafts where draft.households > 0 {
            let inDraft = Set(draft.faces)
            var area = 0.0, perimeter = 0.0
            for f in draft.faces {
                area += faces[f].area
                perimeter += faces[f].perimeter - tessellation.edges[f].reduce(0) { $0 + (inDraft.contains($1.face) ? $1.length : 0) }
            }
            if perimeter > 0 {
                compactness += 4 * Double.pi * area / (perimeter * perimeter)
                counted += 1
            }
        }
        compactness /= Double(max(1, counted))
        return GridLevel(owners: owners, members: members, siteBuildings: siteBuildings, facePiece: facePiece, pieceWeight: pieceWeight,
                         pieceGraph: pieceGraph, pieceRegions: pieceRegions, drafts: drafts, taken: taken,
                         compactness: compactness, regions: counted, streetInside: streets > 0 ? streetInside / streets : 0)
    }

    /// A dedicated site's cell in a street block is land without households: balancing gives it
    /// to a region as any land, so that regions can pass round the site through it. Then the
    /// site's grid takes each such piece that touches the site (or a piece it took) where the
    /// region stays one piece without it: a grid beside a school then wraps no ring round its
    /// footprint where it need not.
    /// Returns the faces each site took; `drafts` lose them.
    private func takeSiteCells(_ drafts: inout [Draft], owners: [FaceOwner], facePiece: [Int], tessellation: CommunityTessellation,
                               context: GEOSContext) throws -> [Int: [Int]] {
        let faces = tessellation.faces
        var taken: [Int: [Int]] = [:]
        var takenFace: [Int: Int] = [:]
        for d in drafts.indices where drafts[d].kind != .dedicated {
            var changed = true
            while changed {
                changed = false
                for p in drafts[d].pieces {
                    guard case .siteCell(let site, _) = owners[p] else { continue }
                    let pieceFaces = drafts[d].faces.filter { facePiece[$0] == p }
                    let touches = pieceFaces.contains { f in
                        tessellation.edges[f].contains { faces[$0.face].owner == .site(site) || takenFace[$0.face] == site }
                    }
                    guard touches else { continue }
                    let rest = drafts[d].faces.filter { facePiece[$0] != p }
                    guard try rest.isEmpty || Self.connectedParts(rest, tessellation: tessellation, context: context).count == 1 else { continue }
                    drafts[d].faces = rest
                    drafts[d].pieces.removeAll { $0 == p }
                    taken[site, default: []] += pieceFaces
                    for f in pieceFaces { takenFace[f] = site }
                    changed = true
                    break
                }
            }
        }
        drafts.removeAll { $0.faces.isEmpty }
        return taken
    }

    // MARK: Groups that must stay together

    /// At grid level: a compound that fits in a grid, else a building that fits, else each slice.
    private func gridGroups(owners: [FaceOwner]) -> (group: [Int], count: Int) {
        var compoundHouseholds: [String: Int] = [:]
        for entry in input.buildings { if let c = entry.building.compound { compoundHouseholds[c, default: 0] += entry.building.households } }
        var keys: [String: Int] = [:]
        var group: [Int] = []
        for (p, owner) in owners.enumerated() {
            var key = "p\(p)"
            if case .building(let b, _) = owner {
                let building = input.buildings[b].building
                if let c = building.compound, compoundHouseholds[c]! <= options.gridMax {
                    key = "c" + c
                } else if building.households <= options.gridMax {
                    key = "b\(b)"
                }
            }
            if let existing = keys[key] { group.append(existing) } else { keys[key] = keys.count; group.append(keys.count - 1) }
        }
        return (group, keys.count)
    }

    /// At micro-grid level: a building that fits in a micro-grid, else each slice.
    private func microGroups(_ pieces: [Int], members: [[Member]]) -> (group: [Int], count: Int) {
        var keys: [String: Int] = [:]
        var group: [Int] = []
        for p in pieces {
            var key = "p\(p)"
            if let first = members[p].first, members[p].count == 1 {
                let building = input.buildings[first.building].building
                if building.households <= options.microMax { key = "b\(first.building)" }
            }
            if let existing = keys[key] { group.append(existing) } else { keys[key] = keys.count; group.append(keys.count - 1) }
        }
        return (group, keys.count)
    }

    // MARK: Reasons

    /// A residential or rural grid without households is land no region reached (a strip
    /// between two carriageways, a scrap between a dedicated site and the community's edge): it
    /// joins the grid it shares the longest boundary with (one with households first), across a
    /// road or not, dedicated grids included, as land without households does inside a region.
    private static func absorbEmptyDrafts(_ drafts: inout [Draft], tessellation: CommunityTessellation) {
        while true {
            var draftOf: [Int: Int] = [:]
            for (d, draft) in drafts.enumerated() { for f in draft.faces { draftOf[f] = d } }
            var merge: (from: Int, into: Int)?
            for (d, draft) in drafts.enumerated() where draft.kind != .dedicated && draft.households == 0 {
                var shared: [Int: Double] = [:]
                for f in draft.faces {
                    for edge in tessellation.edges[f] { if let other = draftOf[edge.face], other != d { shared[other, default: 0] += edge.length } }
                }
                // Into a grid with households first, then the longest boundary, then the lower index.
                let target = shared.max { a, b in
                    (drafts[a.key].households > 0 ? 1 : 0, a.value, -a.key) < (drafts[b.key].households > 0 ? 1 : 0, b.value, -b.key)
                }
                if let target { merge = (d, target.key); break }
            }
            guard let merge else { return }
            drafts[merge.into].faces = (drafts[merge.into].faces + drafts[merge.from].faces).sorted()
            if drafts[merge.into].kind != .dedicated {
                drafts[merge.into].pieces = (drafts[merge.into].pieces + drafts[merge.from].pieces).sorted()
            }
            drafts.remove(at: merge.from)
        }
    }

    private func explainGrids(_ drafts: inout [Draft], pieceGraph: CellGraph, pieceRegions: [Int], members: [[Member]]) {
        let total = drafts.filter { $0.kind == .residential }.reduce(0) { $0 + $1.households }
        // Households of the compound each piece belongs to, when the compound is kept whole.
        var compoundHouseholds: [String: Int] = [:]
        for entry in input.buildings { if let c = entry.building.compound { compoundHouseholds[c, default: 0] += entry.building.households } }
        var compoundWeight: [Int: Int] = [:]
        for p in members.indices {
            guard let first = members[p].first, let c = input.buildings[first.building].building.compound,
                  let h = compoundHouseholds[c], h <= options.gridMax else { continue }
            compoundWeight[p] = h
        }
        let component = pieceGraph.componentLabels(count: pieceRegions.count, acrossBarriers: false)
        var componentWeight: [Int: Int] = [:]
        for p in pieceRegions.indices { componentWeight[component[p], default: 0] += pieceGraph.weight[p] }
        for index in drafts.indices where drafts[index].kind == .residential {
            let h = drafts[index].households
            guard !options.gridBounds.contains(h) else { continue }
            if h == 0 {
                drafts[index].reason = "no households (land without housing, cut off from the rest of the community)"
            } else if total < options.gridMin {
                drafts[index].reason = "the community holds only \(total) households"
            } else if let first = drafts[index].pieces.first, !Self.divisible(componentWeight[component[first]]!, options.gridBounds) {
                let w = componentWeight[component[first]]!
                drafts[index].reason = "its part of the community holds \(w) households, which no number of grids divides within the bounds"
                drafts[index].forcedByData = true
            } else if h < options.gridMin, let first = drafts[index].pieces.first, componentWeight[component[first]]! < options.gridMin {
                drafts[index].reason = "cut off from the rest of the community (by an arterial road or the community's shape) with only \(componentWeight[component[first]]!) households"
            } else if let largest = drafts[index].pieces.map({ max(buildingWeight(of: $0, members: members), compoundWeight[$0] ?? 0) }).max(),
                      largest >= options.gridMax - options.gridMin {
                drafts[index].reason = "holds an indivisible building or compound of \(largest) households: no combination with its neighbours falls within the bounds"
                drafts[index].forcedByData = true
            } else {
                drafts[index].reason = "could not be balanced with its neighbours"
            }
        }
    }

    /// Households of the building a piece belongs to (the piece's own when it holds several).
    private func buildingWeight(of piece: Int, members: [[Member]]) -> Int {
        guard members[piece].count == 1, let member = members[piece].first else { return members[piece].reduce(0) { $0 + $1.households } }
        let households = input.buildings[member.building].building.households
        return households <= options.gridMax ? households : member.households
    }

    /// Whether `weights` (indivisible) can be grouped into bins each within `bounds`, ignoring
    /// where they stand; nil when there are too many to tell quickly.
    static func packs(_ weights: [Int], into bounds: HouseholdBounds) -> Bool? {
        let n = weights.count
        guard n > 0 else { return true }
        guard n <= 14 else { return nil }
        var sums = [Int](repeating: 0, count: 1 << n)
        for mask in 1..<(1 << n) {
            let low = mask & -mask
            sums[mask] = sums[mask ^ low] + weights[low.trailingZeroBitCount]
        }
        var can = [Bool](repeating: false, count: 1 << n)
        can[0] = true
        for mask in 1..<(1 << n) {
            let low = mask & -mask
            let rest = mask ^ low
            var sub = rest
            while true {
                let bin = sub | low
                if can[mask ^ bin] && bounds.contains(sums[bin]) { can[mask] = true; break }
                if sub == 0 { break }
                sub = (sub - 1) & rest
            }
        }
        return can[(1 << n) - 1]
    }

    /// Whether some number of regions `k` has `k * min <= households <= k * max`.
    static func divisible(_ households: Int, _ bounds: HouseholdBounds) -> Bool {
        let k = (households + bounds.max - 1) / bounds.max
        return households == 0 || k * bounds.min <= households
    }

    private func microReason(households: Int, pieces: [Int], members: [[Member]], gridHouseholds: Int, groupWeights: [Int],
                             unsplittable: Bool) -> String {
        if gridHouseholds < options.microMin { return "the grid holds only \(gridHouseholds) households" }
        if !Self.divisible(gridHouseholds, options.microBounds) {
            return "the grid's \(gridHouseholds) households are divided within the bounds by no number of micro-grids"
        }
        let weights = groupWeights.filter { $0 > 0 }.sorted(by: >)
        if Self.packs(weights, into: options.microBounds) == false {
            return "the grid's buildings (\(weights.map(String.init).joined(separator: ", ")) households) cannot be grouped within the bounds without splitting one"
        }
        if households > options.microMax {
            for p in pieces {
                for member in members[p] where member.households > options.microMax {
                    let building = input.buildings[member.building].building
                    return building.households > member.households || (building.units ?? 1) > 1
                        ? "an indivisible entrance unit of \(member.households) households (building \(building.id))"
                        : "an indivisible building of \(member.households) households with no entrance units to cut along (building \(building.id))"
                }
            }
        }
        if unsplittable {
            return "the grid's buildings, as they lie, make no micro-grids within the bounds that are each one piece (every grouping tried)"
        }
        return "could not be balanced with its neighbours"
    }

    // MARK: Helpers

    private func nearestPiece(to footprint: Geometry, block: Int, faces: [CommunityTessellation.Face], pieceIndex: [FaceOwner: Int]) -> Int? {
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
