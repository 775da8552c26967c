public import FeatureIO
import Foundation
public import GeometryEngine
import GridSchema

/// What went wrong reading a previous partition (`--previous OLD.gpkg`), and where: the file,
/// layer, feature (its code or fid) and field a person needs to find the problem.
public struct RepartitionError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var file: String?
    public var layer: String?
    public var featureID: String?
    public var field: String?

    public init(_ message: String, file: String? = nil, layer: String? = nil, featureID: String? = nil, field: String? = nil) {
        self.message = message
        self.file = file
        self.layer = layer
        self.featureID = featureID
        self.field = field
    }

    /// `error: old.gpkg, layer building_assignments, feature 17, field grid_code: names grid ... which is not in layer grids`.
    public var description: String {
        var place: [String] = []
        if let file { place.append(file) }
        if let layer { place.append("layer \(layer)") }
        if let featureID { place.append("feature \(featureID)") }
        if let field { place.append("field \(field)") }
        return "error: " + (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + message
    }
}

/// A partition read back from a GeoPackage written by `gridweave partition` (`data.md`,
/// "Output: a partition"), the starting point of a re-partition.
///
/// `grids` is required. `microgrids` and `building_assignments` are required for a
/// re-partition that re-balances (`RepartitionMode.rebalance`); `keepGrids` also works from a
/// file holding only grids (a district that had grids and no micro-grids yet), placing
/// buildings in grids by where they stand. `code_history`, written by every re-partition, lists
/// every code ever used; a file without it counts the codes it holds as the ones used.
public struct PreviousPartition: Sendable {
    public struct OldGrid: Sendable, Hashable {
        public var code: String
        public var communityCode: String
        public var kind: Grid.Kind
        public var households: Int
        public var buildings: Int
        /// In the file's CRS, exactly as read.
        public var geometry: Geometry
        /// In code order.
        public var microGrids: [OldMicroGrid]
        /// Why it was out of bounds, as the file says (`reason` fields); nil in bounds or unsaid.
        public var reason: BoundsReason.Written?
        /// The values of `PreviousPartition.carriedFields` (an office's own fields, kept by `import-grids`).
        public var carried: [String: FieldValue] = [:]
        /// Whether a planner locked it (`--lock`): a re-partition keeps its geometry, code and
        /// buildings, and never re-cuts it with its neighbours (`locking(_:)`).
        public var locked = false
    }

    public struct OldMicroGrid: Sendable, Hashable {
        public var code: String
        public var gridCode: String
        public var households: Int
        public var buildings: Int
        public var geometry: Geometry
        public var reason: BoundsReason.Written?
    }

    /// One entry of the registry of codes (`code_history`).
    public struct CodeRecord: Sendable, Hashable {
        public enum Level: String, Sendable, Hashable { case grid, microgrid }
        public enum Status: String, Sendable, Hashable { case active, retired }
        public var code: String
        public var level: Level
        public var status: Status
        /// The generation (1: the first partition, +1 per re-partition) since which the code has its status.
        public var since: Int
    }

    /// The file read, as named by the caller.
    public var path: String
    /// The EPSG code of the grids' CRS.
    public var epsg: Int
    /// Grids in file order (code order for files we write).
    public var grids: [OldGrid]
    /// Rows of `building_assignments`; empty when the file has no such layer.
    public var assignments: [BuildingAssignment]
    /// Whether the file has `microgrids` and `building_assignments` layers.
    public var hasMicroGrids: Bool
    public var hasAssignments: Bool
    /// The registry: `code_history` when the file has it, else every code in the file, active since generation 1.
    public var codeHistory: [CodeRecord]
    /// Fields of `grids` that are not the partition's own (`office_code` and an office's fields,
    /// written by `import-grids`), in column order: a re-partition carries them over.
    public var carriedFields: [FieldDefinition] = []

    /// The generation of the previous file (the largest `since` of its registry, 1 without one).
    public var generation: Int { codeHistory.map(\.since).max() ?? 1 }

    /// This partition with the grids of `codes` locked (`OldGrid.locked`).
    /// - Throws: `RepartitionError` naming every code that is no grid of the file, all at once.
    public func locking(_ codes: Set<String>) throws -> PreviousPartition {
        let known = Set(grids.map(\.code))
        let unknown = codes.subtracting(known).sorted()
        guard unknown.isEmpty else {
            throw RepartitionError("--lock names \(unknown.joined(separator: ", ")), which \(unknown.count == 1 ? "is" : "are") not in layer grids "
                                   + "(a grid's code is its 15 digits, as in the grids' code field)",
                                   file: path, layer: PartitionSchema.Grids.layer, field: PartitionSchema.Grids.code)
        }
        var copy = self
        for g in copy.grids.indices where codes.contains(copy.grids[g].code) { copy.grids[g].locked = true }
        return copy
    }

    /// Reads and checks the partition at `path`.
    /// - Parameter requiresAssignments: whether `microgrids` and `building_assignments` must be there.
    /// - Throws: `FeatureIOError` when the file cannot be read as a GeoPackage; `RepartitionError`
    ///   naming the layer, feature and field of anything missing or inconsistent (a duplicate
    ///   code, a code that is not 15 or 17 digits, a micro-grid or assignment naming an unknown grid, a
    ///   geometry that is not a polygon).
    public static func read(_ path: String, requiresAssignments: Bool = true) throws -> PreviousPartition {
        let file = try PreviousPartitionFile(path: path)
        var required = [PartitionSchema.Grids.layer]
        if requiresAssignments { required += [PartitionSchema.MicroGrids.layer, PartitionSchema.BuildingAssignments.layer] }
        for layer in required where !file.has(layer) {
            throw file.fail("no layer \(layer): not a partition written by gridweave partition", layer: layer)
        }
        let (grids, epsg, carried) = try file.grids()
        var gridIndex: [String: Int] = [:]
        for (index, grid) in grids.enumerated() { gridIndex[grid.code] = index }
        var withMicroGrids = grids
        let microCodes = try file.microGrids(into: &withMicroGrids, gridIndex: gridIndex)
        let assignments = try file.assignments(gridIndex: gridIndex, microCodes: microCodes)
        if let assignments { try file.check(withMicroGrids, against: assignments) }
        let history = try file.codeHistory()
        return PreviousPartition(path: path, epsg: epsg, grids: withMicroGrids, assignments: assignments ?? [],
                                 hasMicroGrids: microCodes != nil, hasAssignments: assignments != nil,
                                 codeHistory: history + Self.unrecorded(withMicroGrids, in: history), carriedFields: carried)
    }

    /// Every code in the file is used, registry or not: those `history` lacks, active since generation 1.
    private static func unrecorded(_ grids: [OldGrid], in history: [CodeRecord]) -> [CodeRecord] {
        let recorded = Set(history.map(\.code))
        var records: [CodeRecord] = []
        for grid in grids {
            if !recorded.contains(grid.code) { records.append(CodeRecord(code: grid.code, level: .grid, status: .active, since: 1)) }
            for micro in grid.microGrids where !recorded.contains(micro.code) {
                records.append(CodeRecord(code: micro.code, level: .microgrid, status: .active, since: 1))
            }
        }
        return records
    }
}

/// The layers of a previous partition, read and checked one at a time; every error names the
/// file, layer, feature and field.
private struct PreviousPartitionFile {
    let path: String
    let reader: GeoPackageReader

    init(path: String) throws {
        self.path = path
        reader = try GeoPackageReader(path: path)
    }

    func has(_ layer: String) -> Bool { reader.layerNames.contains(layer) }

    func fail(_ message: String, layer: String? = nil, feature: Feature? = nil, field: String? = nil) -> RepartitionError {
        RepartitionError(message, file: path, layer: layer, featureID: feature?.fid.map(String.init), field: field)
    }

    func text(_ feature: Feature, _ field: String, layer: String) throws -> String {
        guard let value = feature[field].string, !value.isEmpty else { throw fail("missing or not text", layer: layer, feature: feature, field: field) }
        return value
    }

    func integer(_ feature: Feature, _ field: String, layer: String) throws -> Int {
        guard let value = feature[field].int64, value >= 0 else { throw fail("missing or not a non-negative integer", layer: layer, feature: feature, field: field) }
        return Int(value)
    }

    func polygon(_ feature: Feature, layer: String) throws -> Geometry {
        guard let geometry = feature.geometry, case .polygon = geometry else {
            throw fail("geometry is \(feature.geometry?.typeName ?? "missing"), not a Polygon", layer: layer, feature: feature, field: "geom")
        }
        return geometry
    }

    /// The reason a grid or micro-grid of the file was out of bounds (`reason`, `reason_en`,
    /// `reason_zh`), nil when the file gives none.
    static func reason(_ feature: Feature) -> BoundsReason.Written? {
        let field = PartitionSchema.Grids.self
        guard let code = feature.properties[field.reason]?.string else { return nil }
        return BoundsReason.Written(code: code, english: feature.properties[field.reasonEnglish]?.string ?? "",
                                    chinese: feature.properties[field.reasonChinese]?.string ?? "")
    }

    /// `grids`, in file order, without their micro-grids; the EPSG code of their CRS; and the
    /// fields that are not the partition's own, which a re-partition carries over.
    func grids() throws -> (grids: [PreviousPartition.OldGrid], epsg: Int, carried: [FieldDefinition]) {
        let field = PartitionSchema.Grids.self
        let layer = field.layer
        let gridLayer = try reader.readLayer(layer)
        let own = Set(field.fields.map { $0.name.lowercased() })
        let carried = gridLayer.fields.filter { !own.contains($0.name.lowercased()) }
        guard let srs = gridLayer.srs else { throw fail("no CRS: the grids of a partition are in the district's CRS", layer: layer) }
        var grids: [PreviousPartition.OldGrid] = []
        var seen: Set<String> = []
        for feature in gridLayer.features {
            let code = try text(feature, field.code, layer: layer)
            guard let gridCode = GridCode(code) else {
                throw fail("code \(code) is not \(GridCode.digits) digits", layer: layer, feature: feature, field: field.code)
            }
            guard seen.insert(code).inserted else { throw fail("code \(code) appears twice", layer: layer, feature: feature, field: field.code) }
            let community = try text(feature, field.communityCode, layer: layer)
            guard CommunityCode(community) == gridCode.community else {
                throw fail("code \(code) does not start with its community_code \(community)", layer: layer, feature: feature, field: field.communityCode)
            }
            let kindText = try text(feature, field.kind, layer: layer)
            guard let kind = Grid.Kind(rawValue: kindText) else { throw fail("unknown kind \(kindText)", layer: layer, feature: feature, field: field.kind) }
            grids.append(PreviousPartition.OldGrid(code: code, communityCode: community, kind: kind,
                                                   households: try integer(feature, field.households, layer: layer),
                                                   buildings: try integer(feature, field.buildings, layer: layer),
                                                   geometry: try polygon(feature, layer: layer), microGrids: [],
                                                   reason: Self.reason(feature),
                                                   carried: Dictionary(uniqueKeysWithValues: carried.map { ($0.name, feature[$0.name]) })))
        }
        return (grids, Int(srs.organizationID), carried)
    }

    /// Adds the rows of `microgrids` to their grids, in code order; the codes read, nil when
    /// the file has no such layer.
    func microGrids(into grids: inout [PreviousPartition.OldGrid], gridIndex: [String: Int]) throws -> Set<String>? {
        let field = PartitionSchema.MicroGrids.self
        let layer = field.layer
        guard has(layer) else { return nil }
        var codes: Set<String> = []
        for feature in try reader.readLayer(layer).features {
            let code = try text(feature, field.code, layer: layer)
            guard let microCode = MicroGridCode(code) else {
                throw fail("code \(code) is not \(MicroGridCode.digits) digits", layer: layer, feature: feature, field: field.code)
            }
            guard codes.insert(code).inserted else { throw fail("code \(code) appears twice", layer: layer, feature: feature, field: field.code) }
            let gridCode = try text(feature, field.gridCode, layer: layer)
            guard let g = gridIndex[gridCode], microCode.grid.description == gridCode else {
                throw fail("names grid \(gridCode), which is not in layer grids (or is not the prefix of code \(code))",
                           layer: layer, feature: feature, field: field.gridCode)
            }
            grids[g].microGrids.append(PreviousPartition.OldMicroGrid(code: code, gridCode: gridCode,
                                                                      households: try integer(feature, field.households, layer: layer),
                                                                      buildings: try integer(feature, field.buildings, layer: layer),
                                                                      geometry: try polygon(feature, layer: layer),
                                                                      reason: Self.reason(feature)))
        }
        for g in grids.indices { grids[g].microGrids.sort { $0.code < $1.code } }
        return codes
    }

    /// The rows of `building_assignments`, nil when the file has no such layer.
    /// - Parameter microCodes: the codes of `microgrids`, nil when the file has no such layer.
    func assignments(gridIndex: [String: Int], microCodes: Set<String>?) throws -> [BuildingAssignment]? {
        let field = PartitionSchema.BuildingAssignments.self
        let layer = field.layer
        guard has(layer) else { return nil }
        var assignments: [BuildingAssignment] = []
        for feature in try reader.readLayer(layer).features {
            let building = try text(feature, field.buildingID, layer: layer)
            let gridCode = try text(feature, field.gridCode, layer: layer)
            guard gridIndex[gridCode] != nil else {
                throw fail("building \(building) is in grid \(gridCode), which is not in layer grids", layer: layer, feature: feature, field: field.gridCode)
            }
            let microCode = try text(feature, field.microGridCode, layer: layer)
            guard microCodes?.contains(microCode) ?? true, MicroGridCode(microCode)?.grid.description == gridCode else {
                throw fail("building \(building) is in micro-grid \(microCode), which is not a micro-grid of grid \(gridCode) in layer microgrids",
                           layer: layer, feature: feature, field: field.microGridCode)
            }
            assignments.append(BuildingAssignment(buildingID: building, gridCode: gridCode, microGridCode: microCode,
                                                  households: try integer(feature, field.households, layer: layer)))
        }
        return assignments
    }

    /// Households of a grid must be the sum of its rows: otherwise the file was edited by hand.
    func check(_ grids: [PreviousPartition.OldGrid], against assignments: [BuildingAssignment]) throws {
        var sums: [String: Int] = [:]
        for row in assignments { sums[row.gridCode, default: 0] += row.households }
        for grid in grids where grid.kind != .dedicated && (sums[grid.code] ?? 0) != grid.households {
            throw RepartitionError("grid \(grid.code) says \(grid.households) households, its building_assignments rows add up to \(sums[grid.code] ?? 0)",
                                   file: path, layer: PartitionSchema.Grids.layer, featureID: grid.code, field: PartitionSchema.Grids.households)
        }
    }

    /// The rows of `code_history`; empty when the file has no such layer.
    func codeHistory() throws -> [PreviousPartition.CodeRecord] {
        typealias CodeRecord = PreviousPartition.CodeRecord
        let field = PartitionSchema.CodeHistory.self
        let layer = field.layer
        guard has(layer) else { return [] }
        var history: [CodeRecord] = []
        for feature in try reader.readLayer(layer).features {
            let code = try text(feature, field.code, layer: layer)
            guard let level = CodeRecord.Level(rawValue: try text(feature, field.level, layer: layer)) else {
                throw fail("level must be grid or microgrid", layer: layer, feature: feature, field: field.level)
            }
            let (isCode, digits) = level == .grid ? (GridCode(code) != nil, GridCode.digits) : (MicroGridCode(code) != nil, MicroGridCode.digits)
            guard isCode else { throw fail("code \(code) is not \(digits) digits", layer: layer, feature: feature, field: field.code) }
            guard let status = CodeRecord.Status(rawValue: try text(feature, field.status, layer: layer)) else {
                throw fail("status must be active or retired", layer: layer, feature: feature, field: field.status)
            }
            history.append(CodeRecord(code: code, level: level, status: status, since: max(1, try integer(feature, field.since, layer: layer))))
        }
        return history
    }
}
