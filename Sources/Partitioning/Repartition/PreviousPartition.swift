import FeatureIO
import Foundation
public import GeometryEngine

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
    }

    public struct OldMicroGrid: Sendable, Hashable {
        public var code: String
        public var gridCode: String
        public var households: Int
        public var buildings: Int
        public var geometry: Geometry
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

    /// The generation of the previous file (the largest `since` of its registry, 1 without one).
    public var generation: Int { codeHistory.map(\.since).max() ?? 1 }

    /// Reads and checks the partition at `path`.
    /// - Parameter requiresAssignments: whether `microgrids` and `building_assignments` must be there.
    /// - Throws: `FeatureIOError` when the file cannot be read as a GeoPackage; `RepartitionError`
    ///   naming the layer, feature and field of anything missing or inconsistent (a duplicate
    ///   code, a code that is not 15 or 17 digits, a micro-grid or assignment naming an unknown grid, a
    ///   geometry that is not a polygon).
    public static func read(_ path: String, requiresAssignments: Bool = true) throws -> PreviousPartition {
        let reader = try GeoPackageReader(path: path)
        func fail(_ message: String, layer: String? = nil, feature: Feature? = nil, field: String? = nil) -> RepartitionError {
            RepartitionError(message, file: path, layer: layer, featureID: feature?.fid.map(String.init), field: field)
        }
        for layer in ["grids"] + (requiresAssignments ? ["microgrids", "building_assignments"] : []) where !reader.layerNames.contains(layer) {
            throw fail("no layer \(layer): not a partition written by gridweave partition", layer: layer)
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
        func digits(_ code: String, _ count: Int) -> Bool { code.count == count && code.allSatisfy { $0.isASCII && $0.isNumber } }

        let gridLayer = try reader.readLayer("grids")
        guard let srs = gridLayer.srs else { throw fail("no CRS: the grids of a partition are in the district's CRS", layer: "grids") }
        var grids: [OldGrid] = []
        var gridIndex: [String: Int] = [:]
        for feature in gridLayer.features {
            let code = try text(feature, "code", layer: "grids")
            guard digits(code, 15) else { throw fail("code \(code) is not 15 digits", layer: "grids", feature: feature, field: "code") }
            guard gridIndex[code] == nil else { throw fail("code \(code) appears twice", layer: "grids", feature: feature, field: "code") }
            let community = try text(feature, "community_code", layer: "grids")
            guard code.hasPrefix(community) else {
                throw fail("code \(code) does not start with its community_code \(community)", layer: "grids", feature: feature, field: "community_code")
            }
            let kindText = try text(feature, "kind", layer: "grids")
            guard let kind = Grid.Kind(rawValue: kindText) else { throw fail("unknown kind \(kindText)", layer: "grids", feature: feature, field: "kind") }
            gridIndex[code] = grids.count
            grids.append(OldGrid(code: code, communityCode: community, kind: kind,
                                 households: try integer(feature, "households", layer: "grids"),
                                 buildings: try integer(feature, "buildings", layer: "grids"),
                                 geometry: try polygon(feature, layer: "grids"), microGrids: []))
        }

        var microCodes: Set<String> = []
        let hasMicroGrids = reader.layerNames.contains("microgrids")
        if hasMicroGrids {
            for feature in try reader.readLayer("microgrids").features {
                let code = try text(feature, "code", layer: "microgrids")
                guard digits(code, 17) else { throw fail("code \(code) is not 17 digits", layer: "microgrids", feature: feature, field: "code") }
                guard microCodes.insert(code).inserted else { throw fail("code \(code) appears twice", layer: "microgrids", feature: feature, field: "code") }
                let gridCode = try text(feature, "grid_code", layer: "microgrids")
                guard let g = gridIndex[gridCode], code.hasPrefix(gridCode) else {
                    throw fail("names grid \(gridCode), which is not in layer grids (or is not the prefix of code \(code))",
                               layer: "microgrids", feature: feature, field: "grid_code")
                }
                grids[g].microGrids.append(OldMicroGrid(code: code, gridCode: gridCode,
                                                        households: try integer(feature, "households", layer: "microgrids"),
                                                        buildings: try integer(feature, "buildings", layer: "microgrids"),
                                                        geometry: try polygon(feature, layer: "microgrids")))
            }
            for g in grids.indices { grids[g].microGrids.sort { $0.code < $1.code } }
        }

        var assignments: [BuildingAssignment] = []
        let hasAssignments = reader.layerNames.contains("building_assignments")
        if hasAssignments {
            let layer = "building_assignments"
            for feature in try reader.readLayer(layer).features {
                let building = try text(feature, "building_id", layer: layer)
                let gridCode = try text(feature, "grid_code", layer: layer)
                guard gridIndex[gridCode] != nil else {
                    throw fail("building \(building) is in grid \(gridCode), which is not in layer grids", layer: layer, feature: feature, field: "grid_code")
                }
                let microCode = try text(feature, "microgrid_code", layer: layer)
                guard !hasMicroGrids || microCodes.contains(microCode), microCode.hasPrefix(gridCode) else {
                    throw fail("building \(building) is in micro-grid \(microCode), which is not a micro-grid of grid \(gridCode) in layer microgrids",
                               layer: layer, feature: feature, field: "microgrid_code")
                }
                assignments.append(BuildingAssignment(buildingID: building, gridCode: gridCode, microGridCode: microCode,
                                                      households: try integer(feature, "households", layer: layer)))
            }
            // Households of a grid must be the sum of its rows: otherwise the file was edited by hand.
            var sums: [String: Int] = [:]
            for row in assignments { sums[row.gridCode, default: 0] += row.households }
            for grid in grids where grid.kind != .dedicated && (sums[grid.code] ?? 0) != grid.households {
                throw RepartitionError("grid \(grid.code) says \(grid.households) households, its building_assignments rows add up to \(sums[grid.code] ?? 0)",
                                       file: path, layer: "grids", featureID: grid.code, field: "households")
            }
        }

        var history: [CodeRecord] = []
        if reader.layerNames.contains("code_history") {
            let layer = "code_history"
            for feature in try reader.readLayer(layer).features {
                let code = try text(feature, "code", layer: layer)
                guard let level = CodeRecord.Level(rawValue: try text(feature, "level", layer: layer)) else {
                    throw fail("level must be grid or microgrid", layer: layer, feature: feature, field: "level")
                }
                guard digits(code, level == .grid ? 15 : 17) else { throw fail("code \(code) is not \(level == .grid ? 15 : 17) digits", layer: layer, feature: feature, field: "code") }
                guard let status = CodeRecord.Status(rawValue: try text(feature, "status", layer: layer)) else {
                    throw fail("status must be active or retired", layer: layer, feature: feature, field: "status")
                }
                history.append(CodeRecord(code: code, level: level, status: status, since: max(1, try integer(feature, "since", layer: layer))))
            }
        }
        // Every code in the file is used, registry or not.
        let recorded = Set(history.map(\.code))
        for grid in grids {
            if !recorded.contains(grid.code) { history.append(CodeRecord(code: grid.code, level: .grid, status: .active, since: 1)) }
            for micro in grid.microGrids where !recorded.contains(micro.code) {
                history.append(CodeRecord(code: micro.code, level: .microgrid, status: .active, since: 1))
            }
        }
        return PreviousPartition(path: path, epsg: Int(srs.organizationID), grids: grids, assignments: assignments,
                                 hasMicroGrids: hasMicroGrids, hasAssignments: hasAssignments, codeHistory: history)
    }
}
