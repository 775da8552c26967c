public import DistrictModel
import Foundation
import GeometryEngine
import GridSchema
import Projections

/// `gridweave import-grids`: an office's hand-drawn grids made into grids that tile each
/// community exactly, keeping the office's lines, codes and fields; see `CommunityGridRepair`
/// for the repairs.
public enum GridImporter {
    /// Repairs `hand` over `district` and gives each grid its standard code.
    ///
    /// A grid belongs to the community holding most of it. Codes are the community's 12 digits
    /// and a 3-digit sequence in reading order (rows north to south, west to east in a row), as
    /// `partition` numbers its grids. Households: a building is in the grid holding a point
    /// inside it (buildings are never cut between grids of a community).
    /// - Parameter problems: problems found reading `hand`; they are reported with the others.
    /// - Throws: `GridImportError` listing every problem found (reading's and the repair's),
    ///   when there is any; `GeometryError`, `ProjectionError` when GEOS or PROJ fail.
    public static func importGrids(_ hand: HandDrawnGrids, problems: [ImportProblem] = [], into district: District,
                                   options: GridImportOptions = GridImportOptions()) throws -> GridImport {
        let start = Date()
        // No grid could be read (no code field, no layer, no CRS): every community would only
        // repeat that it has no grid.
        guard !hand.grids.isEmpty || problems.isEmpty else { throw GridImportError(problems) }
        var problems = problems
        let known = Set(hand.grids.map(\.officeCode))
        for code in options.locked.subtracting(known).sorted() {
            problems.append(ImportProblem(.unknownLock, "--lock \(code) names no grid of the file (locks name the office's codes, field \(hand.codeField))",
                                          file: hand.path, layer: hand.layer, field: hand.codeField))
        }
        let buildingIDs = Set(district.buildings.map(\.id))
        for (building, code) in options.pins.sorted(by: { $0.key < $1.key }) {
            if !buildingIDs.contains(building) {
                problems.append(ImportProblem(.badPin, "--pin \(building)=\(code): the district has no building \(building)",
                                              file: hand.path, layer: hand.layer))
            } else if !known.contains(code) {
                problems.append(ImportProblem(.badPin, "--pin \(building)=\(code): no grid of the file has office code \(code)",
                                              file: hand.path, layer: hand.layer, field: hand.codeField))
            }
        }
        let metric = try CoordinateTransformer(from: district.epsg, to: try district.workingEPSG())
        let communities = district.communities.sorted { $0.code < $1.code }
        let membership = try communityOfGrids(hand, communities: communities)
        for (g, community) in membership.enumerated() where community == nil {
            problems.append(ImportProblem(.outsideCommunities, "grid \(hand.grids[g].officeCode) lies in no community of the district",
                                          file: hand.path, layer: hand.layer, featureID: String(hand.grids[g].featureID)))
        }
        var grids: [ImportedGrid] = []
        var repairs: [GridRepair] = []
        var dropped: [String] = []
        var moved = 0
        let buildingTree = try BuildingTree(district.buildings)
        for (c, community) in communities.enumerated() {
            let members = membership.indices.filter { membership[$0] == c }
            guard let communityCode = CommunityCode(community.code), !members.isEmpty, members.count <= GridCode.sequences.upperBound else {
                problems.append(communityProblem(community, members: members.count, hand: hand))
                continue
            }
            let near = try buildingTree.near([community.geometry] + members.map { hand.grids[$0].geometry })
            let repair = CommunityGridRepair(communityCode: community.code, community: community.geometry,
                                             members: members.map { .init(officeCode: hand.grids[$0].officeCode, hand: hand.grids[$0].geometry,
                                                                             locked: options.locked.contains(hand.grids[$0].officeCode)) },
                                             buildings: near.map { district.buildings[$0] }, options: options, metric: metric,
                                             source: (hand.path, hand.layer))
            let outcome = try repair.run()
            problems += outcome.problems
            repairs += outcome.repairs
            moved += outcome.buildingsMoved
            dropped += members.indices.filter { outcome.geometries[$0] == nil }.map { hand.grids[members[$0]].officeCode }
            grids += try codedGrids(outcome, members: members.map { hand.grids[$0] }, community: community, code: communityCode, metric: metric)
        }
        guard problems.isEmpty else { throw GridImportError(problems) }
        let placed = try count(district.buildings, in: &grids)
        return GridImport(epsg: district.epsg, grids: grids, repairs: repairs,
                          officeFields: GridImport.outputNames(hand.fields, codeField: hand.codeField), source: hand.path,
                          sourceLayer: hand.layer, householdsIn: district.householdsIn,
                          householdsNotPlaced: district.householdsIn - placed, buildingsMoved: moved, droppedGrids: dropped,
                          seconds: Date().timeIntervalSince(start))
    }

    /// The grids of one community's outcome, in code order: each member left with area, then
    /// each detached part (office code `<code>#2`, `#3`, ...).
    private static func codedGrids(_ outcome: CommunityGridRepair.Outcome, members: [HandDrawnGrids.Grid], community: Community,
                                   code communityCode: CommunityCode, metric: CoordinateTransformer) throws -> [ImportedGrid] {
        var drafts: [(grid: HandDrawnGrids.Grid, officeCode: String, geometry: Geometry, drawn: Geometry)] = []
        for (m, geometry) in outcome.geometries.enumerated() {
            guard let geometry else { continue }
            drafts.append((members[m], members[m].officeCode, geometry, try members[m].geometry.intersection(community.geometry)))
        }
        var parts: [Int: Int] = [:]
        for (m, geometry) in outcome.detachedParts {
            parts[m, default: 1] += 1
            drafts.append((members[m], "\(members[m].officeCode)#\(parts[m] ?? 2)", geometry, geometry))
        }
        return try readingOrder(drafts.map(\.geometry), community: community.geometry).enumerated().map { sequence, d in
            guard let code = GridCode(community: communityCode, sequence: sequence + 1) else {
                throw GridImportError([ImportProblem(.cannotCode, "community \(community.code) would have \(drafts.count) grids (with the parts of "
                                                     + "grids no other grid touches); a grid code numbers at most \(GridCode.sequences.upperBound)")])
            }
            let draft = drafts[d]
            return ImportedGrid(code: code.description, communityCode: community.code, officeCode: draft.officeCode,
                                officeProperties: draft.grid.properties, geometry: draft.geometry, households: 0, buildings: 0,
                                drawnSquareMetres: try metric.transform(draft.drawn).area(), squareMetres: try metric.transform(draft.geometry).area())
        }
    }

    /// Why a community cannot have its grids: none, too many to number, or a code that is not 12 digits.
    private static func communityProblem(_ community: Community, members: Int, hand: HandDrawnGrids) -> ImportProblem {
        if members == 0 {
            return ImportProblem(.communityWithoutGrids, "community \(community.code) has no grid: draw at least one over it",
                                 file: hand.path, layer: hand.layer)
        }
        let message = members > 999 ? "community \(community.code) has \(members) grids; a grid code numbers at most 999"
            : "community code \(community.code) is not \(CommunityCode.digits) digits, so its grids cannot be given standard codes"
        return ImportProblem(.cannotCode, message, file: hand.path, layer: hand.layer)
    }

    /// The community (index into `communities`) holding most of each grid; nil for one in none.
    private static func communityOfGrids(_ hand: HandDrawnGrids, communities: [Community]) throws -> [Int?] {
        try hand.grids.map { grid in
            var best: (community: Int, area: Double)?
            for (c, community) in communities.enumerated() {
                guard let a = grid.geometry.envelope, let b = community.geometry.envelope, a.intersects(b) else { continue }
                let area = try grid.geometry.intersection(community.geometry).area()
                if area > 0 && area > (best?.area ?? 0) { best = (c, area) }
            }
            return best?.community
        }
    }

    /// Indices of `geometries` in code order: rows north to south, west to east in a row (see
    /// `CommunityPartitioner.ordered`), rows as tall as the side of the community's average grid.
    static func readingOrder(_ geometries: [Geometry], community: Geometry) throws -> [Int] {
        let centroids = try geometries.map { try $0.centroid().coordinates.first ?? XY(0, 0) }
        let band = max(Double.leastNonzeroMagnitude, (try community.area() / Double(max(1, geometries.count))).squareRoot())
        return CommunityPartitioner.ordered(centroids, band: band, top: centroids.map(\.y).max() ?? 0)
    }

    /// Sets each grid's households and buildings: a building is in the grid holding a point
    /// inside it. Returns the households placed.
    private static func count(_ buildings: [Building], in grids: inout [ImportedGrid]) throws -> Int {
        let context = GEOSContext()
        let tree = try SpatialTree(context: context)
        let prepared = try grids.enumerated().map { g, grid in
            let object = try GEOSObject(grid.geometry, context: context)
            tree.insert(object, index: g)
            return try PreparedGeometry(object)
        }
        var placed = 0
        for building in buildings where !building.geometry.isEmpty {
            let point = try GEOSObject(building.geometry, context: context).pointOnSurface()
            guard let g = try tree.query(point).first(where: { try prepared[$0].intersects(point) }) else { continue }
            grids[g].households += building.households
            grids[g].buildings += 1
            placed += building.households
        }
        return placed
    }
}

/// The district's buildings in an STRtree, to find those near a community.
private struct BuildingTree {
    let context = GEOSContext()
    let tree: SpatialTree

    init(_ buildings: [Building]) throws {
        tree = try SpatialTree(context: context)
        for (b, building) in buildings.enumerated() {
            // Every item is inserted (an empty geometry has an empty envelope, never found).
            tree.insert(try GEOSObject(building.geometry, context: context), index: b)
        }
    }

    /// The buildings whose envelopes meet the envelope of any of `geometries`, in order.
    func near(_ geometries: [Geometry]) throws -> [Int] {
        var found: Set<Int> = []
        for geometry in geometries {
            guard let envelope = geometry.envelope else { continue }
            found.formUnion(try tree.query(envelope))
        }
        return found.sorted()
    }
}
