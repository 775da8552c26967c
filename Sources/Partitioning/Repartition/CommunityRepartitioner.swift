import DistrictModel
import GeometryEngine
import GridSchema
import Projections

/// Re-partitions one community from its previous grids (see `Partitioner.repartition`).
///
/// Works in the working CRS: the previous grids are transformed into it, and every grid
/// kept geometry-for-geometry is named in `Result.keptGeometry`, so that the caller puts the
/// previous file's bytes back after the transformation home.
struct CommunityRepartitioner: Sendable {
    struct Result: Sendable {
        /// The community's grids with their final codes, in code order, in the working CRS.
        var outcome: CommunityOutcome
        /// Codes of the grids and micro-grids whose geometry is the previous file's.
        var keptGeometry: Set<String>
        /// Codes of the grids whose micro-grids were cut anew.
        var rebuiltMicroGrids: Set<String>
    }

    /// The community as it is now (working CRS), with its buildings.
    let input: CommunityInput
    /// Its grids in the previous partition (their CRS), and the `building_assignments` rows of those grids.
    let oldGrids: [PreviousPartition.OldGrid]
    let oldRows: [BuildingAssignment]
    /// Every grid and micro-grid code the community ever used (active or retired).
    let usedCodes: Set<String>
    let mode: RepartitionMode
    let options: PartitionOptions
    let districtEPSG: Int
    let workingEPSG: Int
    /// Whether buildings go to grids by where they stand (a previous file without assignments).
    let placesByLocation: Bool

    /// A row of a grid now: a building (index in `input.buildings`), its households there and
    /// its micro-grid in the previous partition (nil for a building that arrived).
    private struct Row {
        var building: Int
        var households: Int
        var micro: String?
    }

    /// A previous grid, in the working CRS, with its rows now.
    private struct WorkGrid {
        var old: PreviousPartition.OldGrid
        var metric: Geometry
        var microMetric: [Geometry]
        var rows: [Row] = []
        /// Whether its rows differ from the previous ones (households, buildings gone or come).
        var changed = false
        /// Whether a building arrived, or a building split over several grids changed households.
        var needsMicroGrids = false
        var households: Int { rows.reduce(0) { $0 + $1.households } }
        /// Whether a re-balance may re-cut it: a residential grid no planner locked.
        var recuttable: Bool { old.kind == .residential && !old.locked }
    }

    /// The community re-partitioned: its buildings placed in the previous grids, the grids
    /// they push out of bounds re-cut with as few neighbours as needed (the whole community
    /// when its outline changed), every other grid kept, its micro-grids kept or cut anew.
    func run(context: GEOSContext) throws -> Result {
        var codes = CodeAllocator(community: input.community.code, used: usedCodes)
        guard !oldGrids.isEmpty else {
            let (piece, totals) = try whole(matching: [], codes: &codes, context: context)
            return finish(piece, totals: totals, kept: [])
        }
        var grids = try workGrids()
        let shapes = try GridShapes(grids, context: context)
        try placeBuildings(in: &grids, shapes: shapes, context: context)
        // A community whose outline changed is cut anew as a whole (codes still matched).
        if mode == .rebalance, try outlineChanged(shapes.objects, context: context) {
            if let lock = grids.first(where: \.old.locked) {
                throw RepartitionError("community \(input.community.code)'s outline changed, so its grids are cut anew as a whole and "
                                       + "locked grid \(lock.old.code) cannot be kept: restore the outline, or drop --lock \(lock.old.code)",
                                       layer: PartitionSchema.Grids.layer, featureID: lock.old.code)
            }
            let (piece, totals) = try whole(matching: grids, codes: &codes, context: context)
            return finish(piece, totals: totals, kept: [])
        }
        var pieces: [Piece] = []
        var totals = PartitionStatistics()
        let rebalanced = try rebalance(outOfBounds(grids), grids: grids, objects: shapes.objects, codes: &codes,
                                       pieces: &pieces, totals: &totals, context: context)
        // Every other grid keeps its geometry and code.
        var kept: Set<String> = []
        for (g, grid) in grids.enumerated() where !rebalanced.contains(g) {
            if grid.old.kind == .dedicated || (keepsMicroGrids(grid) && microGridsFit(grid)) {
                let piece = try keptPiece(grid, codes: &codes)
                kept.formUnion(piece.keptGeometry)
                pieces.append(piece)
            } else {
                let (piece, statistics) = try rebuiltMicroGrids(grid, codes: &codes, context: context)
                // The grid's roads and its households are counted with the grid kept: only its micro-grids are new.
                totals.microGridsOutOfBoundsByData += statistics.microGridsOutOfBoundsByData
                kept.insert(grid.old.code)
                pieces.append(piece)
            }
        }
        return finish(Piece.merged(pieces), totals: totals, kept: kept)
    }

    // MARK: Placing buildings

    /// The previous grids, transformed into the working CRS, without rows yet.
    private func workGrids() throws -> [WorkGrid] {
        let transformer = try CoordinateTransformer(from: districtEPSG, to: workingEPSG)
        return try oldGrids.map { old in
            WorkGrid(old: old, metric: try transformer.transform(old.geometry),
                     microMetric: try old.microGrids.map { try transformer.transform($0.geometry) })
        }
    }

    /// The previous grids as GEOS objects, prepared and in a tree, to find the grids a building touches.
    private struct GridShapes {
        var objects: [GEOSObject]
        var prepared: [PreparedGeometry]
        var tree: SpatialTree
        /// Index of each grid by its code.
        var index: [String: Int] = [:]

        init(_ grids: [WorkGrid], context: GEOSContext) throws {
            objects = try grids.map { try GEOSObject($0.metric, context: context) }
            prepared = try objects.map { try PreparedGeometry($0) }
            tree = try SpatialTree(context: context)
            for (index, object) in objects.enumerated() { tree.insert(object, index: index) }
            for (index, grid) in grids.enumerated() { self.index[grid.old.code] = index }
        }
    }

    /// Fills the rows of `grids`: each building where it was, when it still touches a grid it
    /// was in (its households shared out as before), else in the grid it stands in; marks the
    /// grids whose rows changed, buildings gone included.
    private func placeBuildings(in grids: inout [WorkGrid], shapes: GridShapes, context: GEOSContext) throws {
        var rowsOfBuilding: [String: [BuildingAssignment]] = [:]
        if !placesByLocation { for row in oldRows { rowsOfBuilding[row.buildingID, default: []].append(row) } }
        var placed: Set<String> = []
        for (b, entry) in input.buildings.enumerated() {
            let building = entry.building
            let raw = try GEOSObject(building.geometry, context: context)
            let footprint = try raw.isValid() ? raw : raw.makeValid()
            if let rows = rowsOfBuilding[building.id],
               try rows.contains(where: { row in try shapes.index[row.gridCode].map { try shapes.prepared[$0].intersects(footprint) } ?? false }) {
                placed.insert(building.id)
                placeAsBefore(b, rows: rows, in: &grids, index: shapes.index)
                continue
            }
            guard let g = try gridStanding(footprint, objects: shapes.objects, prepared: shapes.prepared, tree: shapes.tree) else { continue }
            grids[g].rows.append(Row(building: b, households: building.households, micro: nil))
            grids[g].changed = true
            grids[g].needsMicroGrids = true
        }
        // Buildings gone (demolished, moved away or to another community).
        for row in oldRows where !placed.contains(row.buildingID) {
            if let g = shapes.index[row.gridCode] { grids[g].changed = true }
        }
    }

    /// Puts building `b` back in the grids of its previous `rows`, its households now shared
    /// out in proportion to theirs; a grid whose share changed is marked, and, for a building
    /// over several grids, needs its micro-grids cut anew.
    private func placeAsBefore(_ b: Int, rows: [BuildingAssignment], in grids: inout [WorkGrid], index: [String: Int]) {
        let total = input.buildings[b].building.households
        let before = rows.map(\.households)
        let shares = total == before.reduce(0, +) ? before : Self.apportion(total, over: before)
        for (row, households) in zip(rows, shares) {
            guard let g = index[row.gridCode] else { continue }
            grids[g].rows.append(Row(building: b, households: households, micro: row.microGridCode))
            if households != row.households {
                grids[g].changed = true
                if rows.count > 1 { grids[g].needsMicroGrids = true }
            }
        }
    }

    /// Whether the community's area is no longer the area of its previous grids.
    private func outlineChanged(_ objects: [GEOSObject], context: GEOSContext) throws -> Bool {
        let raw = try GEOSObject(input.community.geometry, context: context)
        let area = try (raw.isValid() ? raw : raw.makeValid()).area()
        let gridArea = try objects.reduce(0) { $0 + (try $1.area()) }
        return abs(area - gridArea) > 1e-6 * max(area, 1) + 0.01
    }

    // MARK: Re-balancing

    /// Residential grids whose rows changed and that their households now push out of their
    /// bounds (further than before): the grids to re-balance, when the mode does.
    private func outOfBounds(_ grids: [WorkGrid]) -> Set<Int> {
        guard mode == .rebalance else { return [] }
        var result: Set<Int> = []
        for (g, grid) in grids.enumerated() where grid.changed && grid.recuttable
            && !fits(grid.households, before: grid.old.households, options.gridBounds) {
            result.insert(g)
        }
        return result
    }

    /// Re-cuts the grids of `rebalance`, grown into regions worth re-cutting, into `pieces`:
    /// a region whose cut leaves grids out of bounds that the data do not force takes in a
    /// neighbour, up to twice. Returns the grids re-cut.
    private func rebalance(_ rebalance: Set<Int>, grids: [WorkGrid], objects: [GEOSObject], codes: inout CodeAllocator,
                           pieces: inout [Piece], totals: inout PartitionStatistics, context: GEOSContext) throws -> Set<Int> {
        guard !rebalance.isEmpty else { return [] }
        let adjacency = try Adjacency(grids: grids.map(\.old), objects: objects)
        var taken: Set<Int> = []
        for component in regions(from: rebalance, grids: grids, adjacency: adjacency) {
            var members = component.filter { !taken.contains($0) }
            guard !members.isEmpty else { continue }
            var attempt = 0
            while true {
                let outcome = try regionOutcome(members, grids: grids, objects: objects, context: context)
                let forced = outcome.statistics.gridsOutOfBounds - outcome.statistics.gridsOutOfBoundsByData
                attempt += 1
                if forced > 0, attempt < 3,
                   let extra = bestNeighbour(of: Set(members), excluding: taken, grids: grids, adjacency: adjacency) {
                    members = closed(Set(members + [extra]), grids: grids).filter { !taken.contains($0) }.sorted()
                    continue
                }
                taken.formUnion(members)
                totals.add(outcome.statistics)
                pieces.append(try named(outcome, matching: members.map { grids[$0] }, codes: &codes, context: context))
                break
            }
        }
        return taken
    }

    // MARK: Deciding

    /// Whether `grid` keeps its previous micro-grids, if they still fit: not when buildings
    /// came or split differently, nor (keeping grids) when it had none or its rows changed.
    private func keepsMicroGrids(_ grid: WorkGrid) -> Bool {
        !grid.needsMicroGrids && !(mode == .keepGrids && (grid.old.microGrids.isEmpty || (grid.changed && grid.old.kind != .dedicated)))
    }

    /// Whether `households` is within `bounds`, or no further out of them than `before` was.
    private func fits(_ households: Int, before: Int, _ bounds: HouseholdBounds) -> Bool {
        bounds.contains(households) || bounds.violation(households) <= bounds.violation(before)
    }

    /// Whether the previous micro-grids of `grid`, with their households now, all still fit.
    private func microGridsFit(_ grid: WorkGrid) -> Bool {
        guard !grid.old.microGrids.isEmpty else { return false }
        var households: [String: Int] = [:]
        for row in grid.rows { if let micro = row.micro { households[micro, default: 0] += row.households } }
        return grid.old.microGrids.allSatisfy { fits(households[$0.code] ?? 0, before: $0.households, options.microBounds) }
    }

    /// The grid a building that arrived stands in: the one holding most of its footprint, else the nearest.
    private func gridStanding(_ footprint: GEOSObject, objects: [GEOSObject], prepared: [PreparedGeometry], tree: SpatialTree) throws -> Int? {
        var best: (grid: Int, area: Double)?
        for candidate in tree.query(footprint).sorted() where try prepared[candidate].intersects(footprint) {
            let area = try objects[candidate].intersection(footprint).area()
            if best == nil || area > best!.area { best = (candidate, area) }
        }
        if let best { return best.grid }
        return try tree.nearest(to: footprint)
    }

    /// `rebalance` grown into regions worth re-cutting: buildings split over several grids
    /// pull all of them in, and each connected group takes in neighbours until its households
    /// can be divided within the grid bounds.
    private func regions(from rebalance: Set<Int>, grids: [WorkGrid], adjacency: Adjacency) -> [[Int]] {
        var members = closed(rebalance, grids: grids)
        for _ in 0..<8 {
            var grew = false
            for component in adjacency.components(of: members) {
                let total = component.reduce(0) { $0 + grids[$1].households }
                // Households that no number of grids divides within the bounds (an emptied grid among them) need neighbours.
                guard total < options.gridMin || !CommunityPartitioner.divisible(total, options.gridBounds),
                      let extra = bestNeighbour(of: Set(component), excluding: members, grids: grids, adjacency: adjacency) else { continue }
                members.insert(extra)
                grew = true
            }
            members = closed(members, grids: grids)
            if !grew { break }
        }
        return adjacency.components(of: members)
    }

    /// The neighbouring residential grid whose households best complete `region`: one that
    /// makes it divisible within the bounds, then with grids nearest the target, then the
    /// longest shared boundary.
    private func bestNeighbour(of region: Set<Int>, excluding: Set<Int>, grids: [WorkGrid], adjacency: Adjacency) -> Int? {
        let total = region.reduce(0) { $0 + grids[$1].households }
        var best: (grid: Int, key: (Int, Double, Double))?
        for (neighbour, length) in adjacency.neighbours(of: region)
        where !region.contains(neighbour) && !excluding.contains(neighbour) && grids[neighbour].recuttable {
            let sum = total + grids[neighbour].households
            let count = options.gridBounds.regionCount(for: sum)
            let key = (CommunityPartitioner.divisible(sum, options.gridBounds) ? 0 : 1,
                       abs(Double(sum) / Double(count) - Double(options.gridTarget)), -length)
            if best == nil || key < best!.key { best = (neighbour, key) }
        }
        return best?.grid
    }

    /// `set` with every grid that shares a building with one of its grids.
    private func closed(_ set: Set<Int>, grids: [WorkGrid]) -> Set<Int> {
        var gridsOfBuilding: [Int: Set<Int>] = [:]
        for (g, grid) in grids.enumerated() { for row in grid.rows { gridsOfBuilding[row.building, default: []].insert(g) } }
        var result = set
        var changed = true
        while changed {
            changed = false
            for g in result.sorted() {
                for row in grids[g].rows {
                    for other in gridsOfBuilding[row.building] ?? [] where grids[other].recuttable && !result.contains(other) {
                        result.insert(other)
                        changed = true
                    }
                }
            }
        }
        return result
    }

    // MARK: Cutting

    /// The grids of `members` cut anew as one pseudo-community: their union, their buildings, the community's roads.
    private func regionOutcome(_ members: [Int], grids: [WorkGrid], objects: [GEOSObject], context: GEOSContext) throws -> CommunityOutcome {
        let union = try GEOSObject.collection(members.map { try objects[$0].clone() }, type: .multiPolygon, context: context).coverageUnion().geometry()
        var community = input.community
        community.geometry = union
        return try CommunityPartitioner(input: pseudoInput(community, rows: members.flatMap { grids[$0].rows }, context: context),
                                        options: options).run(context: context)
    }

    /// The community cut as a whole, its grids matched to `matching` for their codes, with the cut's statistics.
    private func whole(matching: [WorkGrid], codes: inout CodeAllocator, context: GEOSContext) throws -> (Piece, PartitionStatistics) {
        let outcome = try CommunityPartitioner(input: input, options: options).run(context: context)
        return (try named(outcome, matching: matching, codes: &codes, context: context), outcome.statistics)
    }

    /// A pseudo-community of `community` (with another outline) holding the buildings of `rows`,
    /// each with its households in those rows. A building that reaches beyond the outline (a
    /// tower cut into slices across several grids) is cut to its part inside, so that its slices
    /// are cut along that part: cut along the whole footprint, the slices outside had no cell
    /// and rode with one inside, a micro-grid of hundreds of households on a sliver of no area.
    private func pseudoInput(_ community: Community, rows: [Row], context: GEOSContext) throws -> CommunityInput {
        var households: [Int: Int] = [:]
        for row in rows { households[row.building, default: 0] += row.households }
        let outline = try PreparedGeometry(GEOSObject(community.geometry, context: context))
        let buildings = try households.keys.sorted().map { b -> (index: Int, building: Building) in
            var building = input.buildings[b].building
            building.households = households[b] ?? 0
            let raw = try GEOSObject(building.geometry, context: context)
            let footprint = try raw.isValid() ? raw : raw.makeValid()
            if try !outline.covers(footprint) {
                let inside = try footprint.intersection(outline.base).geometry()
                let area = inside.polygons.reduce(0) { $0 + PlaneMath.area($1) }
                if area > Self.smallestPart * (try footprint.area()) {
                    building.geometry = inside.polygons.count == 1 ? .polygon(inside.polygons[0]) : .multiPolygon(inside.polygons)
                }
            }
            return (input.buildings[b].index, building)
        }
        return CommunityInput(community: community, buildings: buildings, roads: input.roads, sites: [], barriers: input.barriers)
    }

    /// The share of a footprint under which its part inside a pseudo-community is too small to
    /// stand for it (the building keeps its whole footprint).
    static let smallestPart = 0.01

    /// A grid kept with its geometry and code; its micro-grids kept too, with their households now
    /// (a dedicated grid's one micro-grid takes every building of the grid).
    private func keptPiece(_ grid: WorkGrid, codes: inout CodeAllocator) throws -> Piece {
        let old = grid.old
        var microGrids: [MicroGrid] = []
        var keptGeometry: Set<String> = [old.code]
        if old.kind == .dedicated || old.microGrids.isEmpty {
            let micro = old.microGrids.first
            let code = try micro?.code ?? codes.nextMicroGrid(of: old.code)
            if micro != nil { keptGeometry.insert(code) }
            microGrids = [MicroGrid(code: code, gridCode: old.code, households: grid.households,
                                    buildings: Set(grid.rows.map(\.building)).count, geometry: micro == nil ? grid.metric : grid.microMetric[0])]
        } else {
            var households: [String: Int] = [:]
            var buildings: [String: Set<Int>] = [:]
            for row in grid.rows {
                guard let micro = row.micro else { continue }
                households[micro, default: 0] += row.households
                buildings[micro, default: []].insert(row.building)
            }
            for (m, micro) in old.microGrids.enumerated() {
                microGrids.append(MicroGrid(code: micro.code, gridCode: old.code, households: households[micro.code] ?? 0,
                                            buildings: buildings[micro.code]?.count ?? 0, geometry: grid.microMetric[m]))
                keptGeometry.insert(micro.code)
            }
        }
        let onlyMicro = microGrids.count == 1 ? microGrids[0].code : nil
        let rows = grid.rows.map { row in
            PlacedRow(building: row.building, grid: old.code, micro: onlyMicro ?? row.micro ?? "", households: row.households)
        }
        let kept = Grid(code: old.code, communityCode: old.communityCode, kind: old.kind, households: grid.households,
                        buildings: Set(grid.rows.map(\.building)).count, geometry: grid.metric, microGrids: microGrids, siteID: nil)
        return Piece(grids: [kept], rows: rows, findings: [], unplaced: [], keptGeometry: keptGeometry)
    }

    /// A grid kept with its geometry and code, its micro-grids cut anew: the grid as a
    /// pseudo-community with grid bounds wide enough to make it one grid.
    private func rebuiltMicroGrids(_ grid: WorkGrid, codes: inout CodeAllocator, context: GEOSContext) throws -> (Piece, PartitionStatistics) {
        var community = input.community
        community.geometry = grid.metric
        community.kind = grid.old.kind == .rural ? .rural : .urban
        let total = grid.households
        let wide = max(total, options.gridMax, options.microMax)
        let wideOptions = PartitionOptions(gridMin: 1, gridTarget: wide, gridMax: wide, microMin: options.microMin, microMax: options.microMax,
                                           threads: 1, cutsUnits: options.cutsUnits)
        let outcome = try CommunityPartitioner(input: pseudoInput(community, rows: grid.rows, context: context), options: wideOptions)
            .run(context: context)
        let code = grid.old.code
        var newMicros = outcome.grids.flatMap(\.microGrids)
        if newMicros.isEmpty {
            newMicros = [MicroGrid(code: code + "01", gridCode: code, households: 0, buildings: 0, geometry: grid.metric)]
        }
        var rename: [String: String] = [:]
        try renameMicroGrids(newMicros, rows: outcome.assignments, in: code, before: grid, codes: &codes, rename: &rename)
        for temporary in outcome.grids { rename[temporary.code] = code }
        let micros = newMicros.map { micro in
            MicroGrid(code: rename[micro.code] ?? micro.code, gridCode: code, households: micro.households, buildings: micro.buildings, geometry: micro.geometry)
        }.sorted { $0.code < $1.code }
        let local = buildingIndex()
        let rows = outcome.assignments.compactMap { row -> PlacedRow? in
            guard let b = local[row.buildingID] else { return nil }
            return PlacedRow(building: b, grid: code, micro: rename[row.microGridCode] ?? row.microGridCode, households: row.households)
        }
        let findings = outcome.findings.filter { $0.kind == .microGridOutOfBounds }.map { finding in
            PartitionFinding(finding.kind, featureID: rename[finding.featureID] ?? finding.featureID, detail: finding.detail)
        }
        let households = rows.reduce(0) { $0 + $1.households }
        let result = Grid(code: code, communityCode: grid.old.communityCode, kind: grid.old.kind, households: households,
                          buildings: Set(rows.map(\.building)).count, geometry: grid.metric, microGrids: micros, siteID: nil)
        return (Piece(grids: [result], rows: rows, findings: findings, unplaced: outcome.unplaced, keptGeometry: [code], rebuiltMicroGrids: [code]),
                outcome.statistics)
    }

    /// The grids of `outcome` (temporary codes) with their final codes: each takes the code of the
    /// grid of `matching` it shares most households with (or, without households, most area),
    /// the others new codes; micro-grids likewise within a grid that kept its code.
    private func named(_ outcome: CommunityOutcome, matching: [WorkGrid], codes: inout CodeAllocator, context: GEOSContext) throws -> Piece {
        var newShares: [[String: Int]] = outcome.grids.map { _ in [:] }
        let newIndex = Dictionary(outcome.grids.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        for row in outcome.assignments { if let g = newIndex[row.gridCode] { newShares[g][row.buildingID, default: 0] += row.households } }
        let oldShares = matching.map { grid in
            grid.rows.reduce(into: [String: Int]()) { $0[input.buildings[$1.building].building.id, default: 0] += $1.households }
        }
        var pairs = Self.match(new: newShares, newHouseholds: outcome.grids.map(\.households), old: oldShares,
                               oldHouseholds: matching.map(\.households))
        try pairByArea(outcome.grids, with: matching, pairs: &pairs, context: context)

        var rename: [String: String] = [:]
        for (n, grid) in outcome.grids.enumerated() {
            let code = try pairs[n].map { matching[$0].old.code } ?? codes.nextGrid()
            rename[grid.code] = code
            // Micro-grids: against the previous micro-grids of the grid whose code it took.
            try renameMicroGrids(grid.microGrids, rows: outcome.assignments.filter { $0.gridCode == grid.code }, in: code,
                                 before: pairs[n].map { matching[$0] }, codes: &codes, rename: &rename)
        }
        let grids = outcome.grids.map { grid -> Grid in
            var renamed = grid
            renamed.code = rename[grid.code] ?? grid.code
            renamed.microGrids = grid.microGrids.map { micro in
                var m = micro
                m.code = rename[micro.code] ?? micro.code
                m.gridCode = renamed.code
                return m
            }.sorted { $0.code < $1.code }
            return renamed
        }
        let local = buildingIndex()
        let rows = outcome.assignments.compactMap { row -> PlacedRow? in
            guard let b = local[row.buildingID] else { return nil }
            return PlacedRow(building: b, grid: rename[row.gridCode] ?? row.gridCode, micro: rename[row.microGridCode] ?? row.microGridCode,
                             households: row.households)
        }
        let wanted: Set<PartitionFinding.Kind> = [.gridOutOfBounds, .microGridOutOfBounds]
        let findings = outcome.findings.filter { wanted.contains($0.kind) }.map { finding in
            PartitionFinding(finding.kind, featureID: rename[finding.featureID] ?? finding.featureID, detail: finding.detail)
        }
        return Piece(grids: grids, rows: rows, findings: findings, unplaced: outcome.unplaced, keptGeometry: [],
                     rebuiltMicroGrids: Set(grids.map(\.code)))
    }

    /// Pairs each of `grids` left without a pair (no households shared: land, a dedicated site
    /// without homes) with the grid of `matching` not yet paired, of the same kind, that covers
    /// the most of it, more than half.
    private func pairByArea(_ grids: [Grid], with matching: [WorkGrid], pairs: inout [Int?], context: GEOSContext) throws {
        let taken = Set(pairs.compactMap { $0 })
        var free = Set(matching.indices).subtracting(taken)
        for (n, grid) in grids.enumerated() where pairs[n] == nil {
            let object = try GEOSObject(grid.geometry, context: context)
            let area = try object.area()
            var best: (old: Int, area: Double)?
            for o in free.sorted() where matching[o].old.kind == grid.kind {
                let shared = try object.intersection(GEOSObject(matching[o].metric, context: context)).area()
                if shared > 0.5 * area, best == nil || shared > best!.area { best = (o, shared) }
            }
            if let best {
                pairs[n] = best.old
                free.remove(best.old)
            }
        }
    }

    /// Names new micro-grids `micros` of the grid coded `code` in `rename`: each takes the code
    /// of the micro-grid of the grid `before` it shares most households with (by `rows`, the
    /// new rows of these micro-grids), the others new codes of the grid.
    private func renameMicroGrids(_ micros: [MicroGrid], rows: [BuildingAssignment], in code: String, before old: WorkGrid?,
                                  codes: inout CodeAllocator, rename: inout [String: String]) throws {
        let oldMicros = old?.old.microGrids ?? []
        var oldShares: [[String: Int]] = oldMicros.map { _ in [:] }
        let oldIndex = Dictionary(oldMicros.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        for row in old?.rows ?? [] {
            if let micro = row.micro, let m = oldIndex[micro] { oldShares[m][input.buildings[row.building].building.id, default: 0] += row.households }
        }
        var newShares: [[String: Int]] = micros.map { _ in [:] }
        let newIndex = Dictionary(micros.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
        for row in rows { if let m = newIndex[row.microGridCode] { newShares[m][row.buildingID, default: 0] += row.households } }
        let pairs = Self.match(new: newShares, newHouseholds: micros.map(\.households), old: oldShares, oldHouseholds: oldMicros.map(\.households))
        for (m, micro) in micros.enumerated() {
            rename[micro.code] = try pairs[m].map { oldMicros[$0].code } ?? codes.nextMicroGrid(of: code)
        }
    }

    /// Pairs of (new, old) groups, largest shared households first; a pair holds when the shared
    /// households are at least half of the new group's or of the old group's. Returns, per new
    /// group, the index of its old group.
    static func match(new: [[String: Int]], newHouseholds: [Int], old: [[String: Int]], oldHouseholds: [Int]) -> [Int?] {
        var candidates: [(shared: Int, new: Int, old: Int)] = []
        for (n, shares) in new.enumerated() {
            for (o, oldShares) in old.enumerated() {
                var shared = 0
                for (building, households) in shares { if let before = oldShares[building] { shared += min(households, before) } }
                if shared > 0 { candidates.append((shared, n, o)) }
            }
        }
        candidates.sort { ($0.shared, -$0.new, -$0.old) > ($1.shared, -$1.new, -$1.old) }
        var result = [Int?](repeating: nil, count: new.count)
        var used = Set<Int>()
        for candidate in candidates where result[candidate.new] == nil && !used.contains(candidate.old) {
            guard 2 * candidate.shared >= newHouseholds[candidate.new] || 2 * candidate.shared >= oldHouseholds[candidate.old] else { continue }
            result[candidate.new] = candidate.old
            used.insert(candidate.old)
        }
        return result
    }

    /// `total` split in proportion to `weights` (largest remainder; equal parts when the weights are all 0).
    static func apportion(_ total: Int, over weights: [Int]) -> [Int] {
        guard !weights.isEmpty else { return [] }
        let sum = weights.reduce(0, +)
        let w = sum > 0 ? weights : weights.map { _ in 1 }
        let whole = w.reduce(0, +)
        var shares = w.map { total * $0 / whole }
        let remainders = w.indices.map { (index: $0, rest: total * w[$0] % whole) }.sorted { $0.rest > $1.rest || ($0.rest == $1.rest && $0.index < $1.index) }
        var left = total - shares.reduce(0, +)
        for entry in remainders where left > 0 {
            shares[entry.index] += 1
            left -= 1
        }
        return shares
    }

    private func buildingIndex() -> [String: Int] {
        Dictionary(input.buildings.enumerated().map { ($1.building.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Putting together

    /// One building row with its final codes.
    fileprivate struct PlacedRow {
        var building: Int
        var grid: String
        var micro: String
        var households: Int
    }

    /// Part of the community's result: grids with their final codes, their rows and findings.
    fileprivate struct Piece {
        var grids: [Grid]
        var rows: [PlacedRow]
        var findings: [PartitionFinding]
        /// Buildings the cuts left in no grid, with the cuts' reasons.
        var unplaced: [UnplacedBuilding]
        var keptGeometry: Set<String>
        var rebuiltMicroGrids: Set<String> = []

        /// The pieces one after another.
        static func merged(_ pieces: [Piece]) -> Piece {
            Piece(grids: pieces.flatMap(\.grids), rows: pieces.flatMap(\.rows), findings: pieces.flatMap(\.findings),
                  unplaced: pieces.flatMap(\.unplaced), keptGeometry: pieces.reduce(into: Set<String>()) { $0.formUnion($1.keptGeometry) },
                  rebuiltMicroGrids: pieces.reduce(into: Set<String>()) { $0.formUnion($1.rebuiltMicroGrids) })
        }
    }

    /// The community's outcome from its pieces: grids in code order, rows in building order (as
    /// a fresh partition writes them), findings and statistics for every grid, kept or new.
    /// - Parameter totals: statistics of the cuts made anew, for the figures only they know
    ///   (grids the data leave out of bounds, road metres).
    private func finish(_ piece: Piece, totals: PartitionStatistics, kept: Set<String>) -> Result {
        var outcome = CommunityOutcome()
        outcome.grids = piece.grids.sorted { $0.code < $1.code }
        let rows = Self.merged(piece.rows)
        outcome.assignments = rows.map { row in
            BuildingAssignment(buildingID: input.buildings[row.building].building.id, gridCode: row.grid, microGridCode: row.micro, households: row.households)
        }
        var findings = piece.findings
        var statistics = PartitionStatistics()
        countBounds(of: outcome.grids, statistics: &statistics, findings: &findings, polsbyPopper: &outcome.polsbyPopper)
        statistics.gridsOutOfBounds = findings.filter { $0.kind == .gridOutOfBounds }.count
        statistics.microGridsOutOfBounds = findings.filter { $0.kind == .microGridOutOfBounds }.count
        statistics.gridsOutOfBoundsByData = min(totals.gridsOutOfBoundsByData, statistics.gridsOutOfBounds)
        statistics.microGridsOutOfBoundsByData = min(totals.microGridsOutOfBoundsByData, statistics.microGridsOutOfBounds)
        statistics.roadMetres = totals.roadMetres
        statistics.roadMetresCrossed = totals.roadMetresCrossed
        statistics.arterialMetresCrossed = totals.arterialMetresCrossed

        // Buildings in no grid, buildings and compounds split: from the rows.
        var rowsOf: [Int: [PlacedRow]] = [:]
        for row in rows { rowsOf[row.building, default: []].append(row) }
        outcome.unplaced = unplaced(rowsOf: rowsOf, reasons: piece.unplaced)
        countSplits(rowsOf: rowsOf, statistics: &statistics, findings: &findings)
        statistics.communities = 1
        statistics.households = input.buildings.reduce(0) { $0 + $1.building.households }
        statistics.buildings = input.buildings.count
        outcome.statistics = statistics
        outcome.findings = findings
        return Result(outcome: outcome, keptGeometry: piece.keptGeometry.union(kept), rebuiltMicroGrids: piece.rebuiltMicroGrids)
    }

    /// `rows` in building order, then micro-grid, the rows of one building in one micro-grid made one.
    private static func merged(_ rows: [PlacedRow]) -> [PlacedRow] {
        var merged: [PlacedRow] = []
        for row in rows.sorted(by: { ($0.building, $0.micro) < ($1.building, $1.micro) }) {
            if let last = merged.last, last.building == row.building, last.micro == row.micro {
                merged[merged.count - 1].households += row.households
            } else {
                merged.append(row)
            }
        }
        return merged
    }

    /// Counts residential grids and micro-grids and those in bounds, with the Polsby-Popper of
    /// each residential grid; reports a grid or micro-grid out of bounds that the cuts did not
    /// (one kept from the previous partition).
    private func countBounds(of grids: [Grid], statistics: inout PartitionStatistics, findings: inout [PartitionFinding],
                             polsbyPopper: inout [Double]) {
        let reported = Set(findings.map(\.featureID))
        var earlier: [String: BoundsReason.Written] = [:]
        for old in oldGrids {
            earlier[old.code] = old.reason
            for micro in old.microGrids { earlier[micro.code] = micro.reason }
        }
        for grid in grids {
            if grid.kind == .residential {
                statistics.residentialGrids += 1
                if options.gridBounds.contains(grid.households) {
                    statistics.residentialGridsInBounds += 1
                } else if !reported.contains(grid.code) {
                    findings.append(PartitionFinding(.gridOutOfBounds, featureID: grid.code, households: grid.households,
                                                     bounds: options.gridBounds, reason: .keptFromPrevious(earlier: earlier[grid.code])))
                }
                if let score = Compactness.polsbyPopper(of: grid.geometry) { polsbyPopper.append(score) }
            }
            guard grid.kind != .dedicated else { continue }
            for micro in grid.microGrids {
                statistics.residentialMicroGrids += 1
                if options.microBounds.contains(micro.households) {
                    statistics.residentialMicroGridsInBounds += 1
                } else if !reported.contains(micro.code) {
                    findings.append(PartitionFinding(.microGridOutOfBounds, featureID: micro.code, households: micro.households,
                                                     bounds: options.microBounds, reason: .keptFromPrevious(earlier: earlier[micro.code])))
                }
            }
        }
    }

    /// The community's buildings whose households the rows miss, for the reason the cuts gave
    /// (`reasons`), or else because no grid holds them.
    private func unplaced(rowsOf: [Int: [PlacedRow]], reasons: [UnplacedBuilding]) -> [UnplacedBuilding] {
        let reasons = Dictionary(reasons.map { ($0.buildingID, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [UnplacedBuilding] = []
        for (b, entry) in input.buildings.enumerated() {
            let building = entry.building
            let placed = rowsOf[b]?.reduce(0) { $0 + $1.households } ?? 0
            if rowsOf[b] == nil || placed < building.households {
                result.append(UnplacedBuilding(buildingID: building.id, households: building.households - placed,
                                               reason: reasons[building.id]?.reason ?? .noGrid,
                                               detail: "community \(input.community.code)"))
            }
        }
        return result
    }

    /// Counts and reports buildings whose rows lie in several micro-grids, and compounds whose
    /// buildings lie in several grids.
    private func countSplits(rowsOf: [Int: [PlacedRow]], statistics: inout PartitionStatistics, findings: inout [PartitionFinding]) {
        var gridsOfCompound: [String: Set<String>] = [:]
        for (b, entry) in input.buildings.enumerated() {
            let building = entry.building
            guard let rows = rowsOf[b] else { continue }
            if rows.count > 1 {
                statistics.buildingsSplit += 1
                findings.append(PartitionFinding(.buildingSplit, featureID: building.id,
                                                 detail: "\(building.households) households cut into entrance units, in \(rows.count) micro-grids"))
            }
            if let compound = building.compound { gridsOfCompound[compound, default: []].formUnion(rows.map(\.grid)) }
        }
        for compound in gridsOfCompound.keys.sorted() where (gridsOfCompound[compound]?.count ?? 0) > 1 {
            statistics.compoundsSplit += 1
            findings.append(PartitionFinding(.compoundSplit, featureID: compound,
                                             detail: "too large for one grid: split along its buildings into \(gridsOfCompound[compound]?.count ?? 0) grids"))
        }
    }
}

/// Which previous grids of a community share a boundary, and how long (working CRS).
private struct Adjacency {
    private var shared: [[Int: Double]]

    init(grids: [PreviousPartition.OldGrid], objects: [GEOSObject]) throws {
        shared = grids.map { _ in [:] }
        let envelopes = try objects.map { try $0.envelope() }
        let boundaries = try objects.map { try $0.boundary() }
        for i in objects.indices {
            for j in objects.indices where j > i {
                guard let a = envelopes[i], let b = envelopes[j], a.intersects(b) else { continue }
                let length = try boundaries[i].intersection(boundaries[j]).length()
                guard length > 0.01 else { continue }
                shared[i][j] = length
                shared[j][i] = length
            }
        }
    }

    /// Grids next to `region` (outside it), with the boundary each shares with it, in index order.
    func neighbours(of region: Set<Int>) -> [(Int, Double)] {
        var result: [Int: Double] = [:]
        for g in region { for (other, length) in shared[g] where !region.contains(other) { result[other, default: 0] += length } }
        return result.keys.sorted().map { ($0, result[$0] ?? 0) }
    }

    /// The connected groups of `members`, each sorted, in order of their smallest grid.
    func components(of members: Set<Int>) -> [[Int]] {
        CellWalk.components(of: members.sorted()) { g, into in into += shared[g].keys }
    }
}

/// Codes of one community: new ones above every code it ever used, so that no retired code comes back.
struct CodeAllocator {
    private let community: String
    private var lastGrid = 0
    private var lastMicro: [GridCode: Int] = [:]

    init(community: String, used: Set<String>) {
        self.community = community
        for text in used {
            if let code = GridCode(text), code.community.description == community { lastGrid = max(lastGrid, code.sequence) }
            if let code = MicroGridCode(text), code.grid.community.description == community {
                lastMicro[code.grid] = max(lastMicro[code.grid] ?? 0, code.sequence)
                lastGrid = max(lastGrid, code.grid.sequence)
            }
        }
    }

    /// The next grid code of the community.
    /// - Throws: `RepartitionError` when the community used all 999.
    mutating func nextGrid() throws -> String {
        guard let parent = CommunityCode(community), let code = GridCode(community: parent, sequence: lastGrid + 1) else {
            throw RepartitionError("community \(community) has used all 999 grid codes; retired codes are never given again", featureID: community)
        }
        lastGrid += 1
        return code.description
    }

    /// The next micro-grid code of `grid`.
    /// - Throws: `RepartitionError` when the grid used all 99.
    mutating func nextMicroGrid(of grid: String) throws -> String {
        guard let parent = GridCode(grid), let code = MicroGridCode(grid: parent, sequence: (lastMicro[parent] ?? 0) + 1) else {
            throw RepartitionError("grid \(grid) has used all 99 micro-grid codes; retired codes are never given again", featureID: grid)
        }
        lastMicro[parent] = code.sequence
        return code.description
    }
}
