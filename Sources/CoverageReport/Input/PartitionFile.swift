import FeatureIO
import Foundation
import GeometryEngine
import MapRendering
import Projections

/// The layers of a grids GeoPackage (data.md, "Output: a partition") in the metric working
/// CRS. Only `grids` is required, with `code` and a polygonal geometry; every other layer and
/// field is used when present, so that grids drawn by hand can be checked too.
struct PartitionFile {
    struct Grid {
        var featureID: String
        var code: String
        var communityCode: String
        var kind: String
        var households: Int?
        var geometry: Geometry

        /// Dedicated and rural grids have no household bounds.
        var isExempt: Bool { kind == "dedicated" || kind == "rural" }
    }

    struct MicroGrid {
        var featureID: String
        var code: String
        var gridCode: String
        var households: Int?
        var geometry: Geometry
    }

    /// A row of `building_assignments` or `shop_assignments`.
    struct Assignment {
        var id: String
        var gridCode: String
        var households: Int?
    }

    var path: String
    /// The EPSG code of the file's grids.
    var sourceEPSG: Int
    /// The metric CRS every geometry here is in.
    var epsg: Int
    var grids: [Grid]
    /// Nil when the file has no `microgrids` layer.
    var microGrids: [MicroGrid]?
    var buildingAssignments: [Assignment]?
    var shopAssignments: [Assignment]?
    /// Road ids of `road_assignments`, nil when the file has no such layer.
    var assignedRoadIDs: Set<String>?

    static func read(_ path: String) throws -> PartitionFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CoverageError("no such file", file: path)
        }
        do {
            return try readGeoPackage(path)
        } catch let error as FeatureIOError {
            throw CoverageError(error.message, file: path, layer: error.layer, featureID: error.featureID, field: error.field)
        } catch let error as ProjectionError {
            throw CoverageError("\(error)", file: path, layer: "grids")
        }
    }

    private static func readGeoPackage(_ path: String) throws -> PartitionFile {
        let reader = try GeoPackageReader(path: path)
        guard reader.layerNames.contains("grids") else {
            let known = reader.layerNames.isEmpty ? "it has none" : "it has \(reader.layerNames.joined(separator: ", "))"
            throw CoverageError("no layer named grids (\(known))", file: path, layer: "grids")
        }
        let gridLayer = try reader.readLayer("grids")
        guard gridLayer.field(named: "code") != nil else {
            throw CoverageError("the grids layer has no code field", file: path, layer: "grids", field: "code")
        }
        guard let source = gridLayer.srs?.epsgCode.map(Int.init) else {
            throw CoverageError("the grids layer has no EPSG coordinate reference system", file: path, layer: "grids")
        }
        let epsg = try MetricCRS.epsg(forSource: source, extent: gridLayer.extent)
        let toMetric = try CoordinateTransformer(from: source, to: epsg)

        var grids: [Grid] = []
        var seen: [String: String] = [:]
        for (row, feature) in gridLayer.features.enumerated() {
            let id = feature.fid.map(String.init) ?? "at index \(row)"
            guard let code = text(feature["code"]) else {
                throw CoverageError("the grid has no code", file: path, layer: "grids", featureID: id, field: "code")
            }
            if let other = seen[code] {
                throw CoverageError("code \(code) is also the code of feature \(other)", file: path, layer: "grids", featureID: id, field: "code")
            }
            seen[code] = id
            let geometry = try polygonal(feature, code: code, layer: "grids", id: id, path: path)
            grids.append(Grid(featureID: id, code: code,
                              communityCode: text(feature["community_code"]) ?? (code.count == 15 ? String(code.prefix(12)) : ""),
                              kind: text(feature["kind"]) ?? "", households: integer(feature["households"]),
                              geometry: try toMetric.transform(geometry)))
        }

        var microGrids: [MicroGrid]?
        if reader.layerNames.contains("microgrids") {
            let layer = try reader.readLayer("microgrids")
            guard layer.field(named: "code") != nil else {
                throw CoverageError("the microgrids layer has no code field", file: path, layer: "microgrids", field: "code")
            }
            let microSource = layer.srs?.epsgCode.map(Int.init) ?? source
            let transform = try CoordinateTransformer(from: microSource, to: epsg)
            var micros: [MicroGrid] = []
            for (row, feature) in layer.features.enumerated() {
                let id = feature.fid.map(String.init) ?? "at index \(row)"
                guard let code = text(feature["code"]) else {
                    throw CoverageError("the micro-grid has no code", file: path, layer: "microgrids", featureID: id, field: "code")
                }
                let geometry = try polygonal(feature, code: code, layer: "microgrids", id: id, path: path)
                micros.append(MicroGrid(featureID: id, code: code,
                                        gridCode: text(feature["grid_code"]) ?? (code.count == 17 ? String(code.prefix(15)) : ""),
                                        households: integer(feature["households"]), geometry: try transform.transform(geometry)))
            }
            microGrids = micros
        }

        func assignments(_ name: String, idField: String) throws -> [Assignment]? {
            guard reader.layerNames.contains(name) else { return nil }
            let layer = try reader.readLayer(name)
            for field in [idField, "grid_code"] where layer.field(named: field) == nil {
                throw CoverageError("the \(name) layer has no \(field) field", file: path, layer: name, field: field)
            }
            return layer.features.compactMap { feature in
                guard let id = text(feature[idField]) else { return nil }
                return Assignment(id: id, gridCode: text(feature["grid_code"]) ?? "", households: integer(feature["households"]))
            }
        }
        let buildings = try assignments("building_assignments", idField: "building_id")
        let shops = try assignments("shop_assignments", idField: "shop_id")
        let roads = try assignments("road_assignments", idField: "road_id").map { Set($0.map(\.id)) }
        return PartitionFile(path: path, sourceEPSG: source, epsg: epsg, grids: grids, microGrids: microGrids,
                             buildingAssignments: buildings, shopAssignments: shops, assignedRoadIDs: roads)
    }

    private static func polygonal(_ feature: Feature, code: String, layer: String, id: String, path: String) throws -> Geometry {
        guard let geometry = feature.geometry, geometry.dimension == 2, !geometry.polygons.isEmpty else {
            let type = feature.geometry?.typeName.lowercased() ?? "no geometry"
            throw CoverageError("\(code) has \(type), not a polygon", file: path, layer: layer, featureID: id)
        }
        return geometry.polygons.count == 1 ? .polygon(geometry.polygons[0]) : .multiPolygon(geometry.polygons)
    }

    /// A text value; an integer is read as its digits (codes stored as numbers).
    static func text(_ value: FieldValue) -> String? {
        switch value {
        case .text(let s): s.isEmpty ? nil : s
        case .integer(let i): String(i)
        default: nil
        }
    }

    static func integer(_ value: FieldValue) -> Int? {
        switch value {
        case .integer(let i): Int(i)
        case .real(let d) where d.isFinite && d == d.rounded(): Int(d)
        default: nil
        }
    }

    /// The map of the grids, for the report page.
    func map(bounds: HouseholdBounds) -> GridMap {
        GridMap(epsg: epsg,
                grids: grids.map { GridMap.Grid(code: $0.code, communityCode: $0.communityCode, kind: $0.kind,
                                                households: $0.households, geometry: $0.geometry) },
                microGrids: (microGrids ?? []).map { GridMap.MicroGrid(code: $0.code, gridCode: $0.gridCode,
                                                                        households: $0.households, geometry: $0.geometry) },
                bounds: bounds)
    }
}
