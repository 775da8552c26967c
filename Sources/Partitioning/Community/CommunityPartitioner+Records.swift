import DistrictModel
import GeometryEngine
import GridSchema

/// Where the households of each building of a community went, grid and micro-grid, as the
/// grids are recorded (stage "codes").
struct AssignmentSheet {
    var rows: [Int: [(grid: String, micro: String, households: Int)]] = [:]
}

extension CommunityPartitioner {
    /// Records a grid under `gridCode`: its micro-grids coded in reading order with their
    /// outlines and households, the grid's outline (their union), its statistics and, when
    /// out of bounds, its finding.
    func record(_ draft: Draft, code gridCode: GridCode, cut: MicroCut, level: GridLevel, tessellation: CommunityTessellation,
                into outcome: inout CommunityOutcome, sheet: inout AssignmentSheet, context: GEOSContext) throws {
        let micro = try recordMicroGrids(draft, code: gridCode, cut: cut, level: level, tessellation: tessellation,
                                         into: &outcome, sheet: &sheet, context: context)
        let gridGeometry = micro.polygons.count == 1
            ? try micro.polygons[0].geometry()
            : try GEOSObject.collection(micro.polygons, type: .multiPolygon, context: context).coverageUnion().geometry()
        let grid = Grid(code: gridCode.description, communityCode: input.community.code, kind: draft.kind, households: draft.households,
                        buildings: micro.buildings.count, geometry: gridGeometry, microGrids: micro.grids,
                        siteID: draft.site.map { input.sites[$0].id })
        if draft.kind == .residential {
            outcome.statistics.residentialGrids += 1
            if options.gridBounds.contains(draft.households) { outcome.statistics.residentialGridsInBounds += 1 }
            if let score = Compactness.polsbyPopper(of: gridGeometry) { outcome.polsbyPopper.append(score) }
        }
        if let reason = draft.reason {
            outcome.statistics.gridsOutOfBounds += 1
            if reason.isForcedByData { outcome.statistics.gridsOutOfBoundsByData += 1 }
            outcome.findings.append(PartitionFinding(.gridOutOfBounds, featureID: gridCode.description, households: draft.households,
                                                     bounds: options.gridBounds, reason: reason))
        }
        outcome.grids.append(grid)
    }

    /// The micro-grids of a grid in reading order, coded; their households go on `sheet`.
    private func recordMicroGrids(_ draft: Draft, code gridCode: GridCode, cut: MicroCut, level: GridLevel, tessellation: CommunityTessellation,
                                  into outcome: inout CommunityOutcome, sheet: inout AssignmentSheet,
                                  context: GEOSContext) throws -> (grids: [MicroGrid], polygons: [GEOSObject], buildings: Set<Int>) {
        let faces = tessellation.faces
        let centroids = cut.faces.map { Self.centroid(of: $0, faces: faces) }
        let areas = cut.faces.map { $0.reduce(0) { $0 + faces[$1].area } }
        let band = max(1, (areas.reduce(0, +) / Double(max(1, cut.faces.count))).squareRoot())
        let order = Self.ordered(centroids, band: band, top: cut.faces.flatMap { $0 }.map { faces[$0].centroid.y }.max() ?? 0)
        var micros: [MicroGrid] = []
        var polygons: [GEOSObject] = []
        var gridBuildings: Set<Int> = []
        for (microSequence, m) in order.enumerated() {
            guard let microCode = MicroGridCode(grid: gridCode, sequence: microSequence + 1)?.description else {
                throw PartitionError("\(order.count) micro-grids, more than the 99 a 2-digit sequence numbers", featureID: gridCode.description)
            }
            let geometry = try Self.union(cut.faces[m], faces: faces, context: context)
            polygons.append(try GEOSObject(geometry, context: context))
            let households = draft.kind == .dedicated
                ? dedicatedHouseholds(draft, level: level, tessellation: tessellation)
                : level.householdsByBuilding(of: cut.pieces[m])
            var total = 0
            for (b, count) in households {
                total += count
                sheet.rows[b, default: []].append((gridCode.description, microCode, count))
            }
            gridBuildings.formUnion(households.map(\.building))
            micros.append(MicroGrid(code: microCode, gridCode: gridCode.description, households: total, buildings: households.count, geometry: geometry))
            if draft.kind != .dedicated {
                countMicroGrid(microCode, households: total, pieces: cut.pieces[m], draft: draft, cut: cut, level: level, into: &outcome)
            }
        }
        return (micros, polygons, gridBuildings)
    }

    /// The buildings of a dedicated grid's site standing in its blocks, with their households.
    private func dedicatedHouseholds(_ draft: Draft, level: GridLevel, tessellation: CommunityTessellation) -> [(building: Int, households: Int)] {
        (level.siteBuildings[draft.site!] ?? []).compactMap { b in
            guard let block = tessellation.buildingSite[b], draft.faces.contains(where: { tessellation.faces[$0].block == block }) else { return nil }
            return (b, input.buildings[b].building.households)
        }
    }

    /// Counts a residential micro-grid in the statistics, with its finding when out of bounds.
    private func countMicroGrid(_ microCode: String, households: Int, pieces: [Int], draft: Draft, cut: MicroCut, level: GridLevel,
                                into outcome: inout CommunityOutcome) {
        outcome.statistics.residentialMicroGrids += 1
        guard !options.microBounds.contains(households) else {
            outcome.statistics.residentialMicroGridsInBounds += 1
            return
        }
        outcome.statistics.microGridsOutOfBounds += 1
        let reason = cut.tooManyMicroGrids.map { BoundsReason.tooManyMicroGrids(gridHouseholds: draft.households, target: $0) }
            ?? microReason(households: households, pieces: pieces, members: level.members, gridHouseholds: draft.households,
                           groupWeights: cut.groupWeights, unsplittable: cut.unsplittable)
        if reason.isForcedByData { outcome.statistics.microGridsOutOfBoundsByData += 1 }
        outcome.findings.append(PartitionFinding(.microGridOutOfBounds, featureID: microCode, households: households,
                                                 bounds: options.microBounds, reason: reason))
    }

    /// The assignments of every building from `sheet` (one row per micro-grid it is in), the
    /// households no grid holds, and the buildings and compounds that had to be split.
    func recordAssignments(_ sheet: AssignmentSheet, tessellation: CommunityTessellation, into outcome: inout CommunityOutcome) {
        var gridsOfCompound: [String: Set<String>] = [:]
        for b in input.buildings.indices {
            let building = input.buildings[b].building
            // A building in no block, or a slice that found no piece to ride with, is in no grid:
            // counted here, with the reason, rather than lost from the grids' households.
            let placed = sheet.rows[b]?.reduce(0) { $0 + $1.households } ?? 0
            if sheet.rows[b] == nil || placed < building.households {
                outcome.unplaced.append(UnplacedBuilding(buildingID: building.id, households: building.households - placed,
                                                         reason: Self.unplacedReason(of: b, tessellation: tessellation),
                                                         detail: "community \(input.community.code)"))
            }
            guard let rows = sheet.rows[b] else { continue }
            var merged: [(grid: String, micro: String, households: Int)] = []
            for row in rows.sorted(by: { $0.micro < $1.micro }) {
                if let last = merged.last, last.micro == row.micro { merged[merged.count - 1].households += row.households } else { merged.append(row) }
            }
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
    }

    /// Street and arterial metres between blocks, and how many of them run inside a grid.
    func recordStreets(_ drafts: [Draft], tessellation: CommunityTessellation, into outcome: inout CommunityOutcome) {
        var gridOfFace = [Int](repeating: -1, count: tessellation.faces.count)
        for (index, draft) in drafts.enumerated() { for f in draft.faces { gridOfFace[f] = index } }
        for f in tessellation.faces.indices {
            for edge in tessellation.edges[f] where edge.face > f {
                outcome.statistics.roadMetres += edge.street
                if gridOfFace[f] == gridOfFace[edge.face] && gridOfFace[f] >= 0 {
                    outcome.statistics.roadMetresCrossed += edge.street
                    outcome.statistics.arterialMetresCrossed += edge.arterial
                }
            }
        }
    }
}

extension GridLevel {
    /// The households of `pieces` per building, by building index.
    func householdsByBuilding(of pieces: [Int]) -> [(building: Int, households: Int)] {
        var perBuilding: [Int: Int] = [:]
        for p in pieces {
            for member in members[p] { perBuilding[member.building, default: 0] += member.households }
        }
        return perBuilding.keys.sorted().map { ($0, perBuilding[$0]!) }
    }
}
