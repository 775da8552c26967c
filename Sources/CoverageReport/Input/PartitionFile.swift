import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import GridSchema
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

    /// Reads the grids file at `path`: a GeoPackage, a PostGIS database (`PG:"host=... dbname=..."`,
    /// where `partition -o PG:...` writes), or another source GDAL reads (`GridsSource`).
    static func read(_ path: String) throws -> PartitionFile {
        let name = DatabaseConnection.displayName(path)
        if !DatabaseConnection.isConnection(path) {
            guard FileManager.default.fileExists(atPath: path) else { throw CoverageError("no such file", file: path) }
        }
        do {
            return try readGrids(path)
        } catch let error as FeatureIOError {
            throw CoverageError(error.message, file: name, layer: error.layer, featureID: error.featureID, field: error.field)
        } catch let error as GridLookupError {
            throw CoverageError(error.message, file: name, layer: error.layer)
        } catch let error as ProjectionError {
            throw CoverageError("\(error)", file: name, layer: PartitionSchema.Grids.layer)
        }
    }

    private static func readGrids(_ path: String) throws -> PartitionFile {
        let reader = try GridsSource.open(path)
        let field = PartitionSchema.Grids.self
        guard reader.layerNames.contains(field.layer) else {
            let known = reader.layerNames.isEmpty ? "it has none" : "it has \(reader.layerNames.joined(separator: ", "))"
            throw CoverageError("no layer named grids (\(known))", file: path, layer: field.layer)
        }
        let gridLayer = try reader.readLayer(field.layer)
        guard gridLayer.field(named: field.code) != nil else {
            throw CoverageError("the grids layer has no code field", file: path, layer: field.layer, field: field.code)
        }
        guard let source = gridLayer.srs?.epsgCode.map(Int.init) else {
            throw CoverageError("the grids layer has no EPSG coordinate reference system", file: path, layer: field.layer)
        }
        let epsg = try MetricCRS.epsg(forSource: source, extent: gridLayer.extent)
        let toMetric = try CoordinateTransformer(from: source, to: epsg)

        var grids: [Grid] = []
        var seen: [String: String] = [:]
        for (row, feature) in gridLayer.features.enumerated() {
            let id = feature.fid.map(String.init) ?? "at index \(row)"
            guard let code = text(feature[field.code]) else {
                throw CoverageError("the grid has no code", file: path, layer: field.layer, featureID: id, field: field.code)
            }
            if let other = seen[code] {
                throw CoverageError("code \(code) is also the code of feature \(other)", file: path, layer: field.layer, featureID: id, field: field.code)
            }
            seen[code] = id
            let geometry = try polygonal(feature, code: code, layer: field.layer, id: id, path: path)
            grids.append(Grid(featureID: id, code: code,
                              communityCode: text(feature[field.communityCode]) ?? field.impliedCommunityCode(ofGrid: code),
                              kind: text(feature[field.kind]) ?? "", households: integer(feature[field.households]),
                              geometry: try toMetric.transform(geometry)))
        }
        let microGrids = try microGrids(in: reader, path: path, source: source, epsg: epsg)
        let buildings = try assignments(in: reader, path: path, PartitionSchema.BuildingAssignments.layer,
                                        idField: PartitionSchema.BuildingAssignments.buildingID,
                                        gridField: PartitionSchema.BuildingAssignments.gridCode)
        let shops = try assignments(in: reader, path: path, PartitionSchema.ShopAssignments.layer,
                                    idField: PartitionSchema.ShopAssignments.shopID, gridField: PartitionSchema.ShopAssignments.gridCode)
        let roads = try assignments(in: reader, path: path, PartitionSchema.RoadAssignments.layer,
                                    idField: PartitionSchema.RoadAssignments.roadID, gridField: PartitionSchema.RoadAssignments.gridCode)
        return PartitionFile(path: path, sourceEPSG: source, epsg: epsg, grids: grids, microGrids: microGrids,
                             buildingAssignments: buildings, shopAssignments: shops, assignedRoadIDs: roads.map { Set($0.map(\.id)) })
    }

    /// The `microgrids` layer in the metric CRS `epsg`, nil when the file has none.
    private static func microGrids(in reader: GridsSource, path: String, source: Int, epsg: Int) throws -> [MicroGrid]? {
        let field = PartitionSchema.MicroGrids.self
        guard reader.layerNames.contains(field.layer) else { return nil }
        let layer = try reader.readLayer(field.layer)
        guard layer.field(named: field.code) != nil else {
            throw CoverageError("the microgrids layer has no code field", file: path, layer: field.layer, field: field.code)
        }
        let microSource = layer.srs?.epsgCode.map(Int.init) ?? source
        let transform = try CoordinateTransformer(from: microSource, to: epsg)
        var micros: [MicroGrid] = []
        for (row, feature) in layer.features.enumerated() {
            let id = feature.fid.map(String.init) ?? "at index \(row)"
            guard let code = text(feature[field.code]) else {
                throw CoverageError("the micro-grid has no code", file: path, layer: field.layer, featureID: id, field: field.code)
            }
            let geometry = try polygonal(feature, code: code, layer: field.layer, id: id, path: path)
            micros.append(MicroGrid(featureID: id, code: code,
                                    gridCode: text(feature[field.gridCode]) ?? field.impliedGridCode(ofMicroGrid: code),
                                    households: integer(feature[field.households]), geometry: try transform.transform(geometry)))
        }
        return micros
    }

    /// The rows of an assignments layer, nil when the file has no such layer.
    private static func assignments(in reader: GridsSource, path: String, _ name: String, idField: String,
                                    gridField: String) throws -> [Assignment]? {
        guard reader.layerNames.contains(name) else { return nil }
        let layer = try reader.readLayer(name)
        for field in [idField, gridField] where layer.field(named: field) == nil {
            throw CoverageError("the \(name) layer has no \(field) field", file: path, layer: name, field: field)
        }
        return layer.features.compactMap { feature in
            guard let id = text(feature[idField]) else { return nil }
            return Assignment(id: id, gridCode: text(feature[gridField]) ?? "",
                              households: integer(feature[PartitionSchema.BuildingAssignments.households]))
        }
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
