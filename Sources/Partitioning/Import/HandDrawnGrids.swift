public import FeatureIO
import Foundation
public import GeometryEngine
import Projections

/// Grids an office drew by hand, read from a GeoPackage layer, a GeoJSON file, or any file GDAL reads, with every
/// field as it is, geometry in the district's CRS.
public struct HandDrawnGrids: Sendable {
    /// One grid as the office drew it.
    public struct Grid: Sendable, Hashable {
        /// The feature's fid (GeoPackage), or its 1-based position (GeoJSON).
        public var featureID: Int64
        /// The office's code, as text (`FieldValue.codeText`).
        public var officeCode: String
        /// Every field of the feature, exactly as read (the code and name fields included).
        public var properties: [String: FieldValue]
        /// In the district's CRS, valid.
        public var geometry: Geometry
    }

    /// The file read, as named by the caller.
    public var path: String
    /// The layer read.
    public var layer: String
    /// The layer's fields, in table order.
    public var fields: [FieldDefinition]
    /// The field holding the office's codes, and the one holding names (nil when none).
    public var codeField: String
    public var nameField: String?
    /// The grids, in file order.
    public var grids: [Grid]

    /// Names of a code field tried in this order when none is given.
    public static let codeFieldNames = ["网格编码", "网格编号", "网格代码", "网格ID", "编码", "编号", "code", "CODE", "WGBM"]
    /// Names of a name field tried in this order when none is given.
    public static let nameFieldNames = ["网格名称", "网格名", "名称", "name", "grid_name", "NAME", "WGMC"]

    /// Reads the grids at `path`, transformed into `epsg` (the district's CRS).
    /// - Parameters:
    ///   - layer: the layer to read; nil takes the only polygon layer (or one named `grids`).
    ///   - codeField: nil looks for one of `codeFieldNames`.
    ///   - nameField: nil looks for one of `nameFieldNames` (none is fine).
    ///   - encoding: a Shapefile's DBF encoding, over its `.cpg` (`--encoding`).
    /// - Returns: the grids that could be read, and every problem found (all of them, not the first).
    /// - Throws: `FeatureIOError` when the file cannot be opened at all.
    public static func read(_ path: String, layer: String? = nil, codeField: String? = nil, nameField: String? = nil,
                            encoding: TextEncoding? = nil, epsg: Int) throws -> (grids: HandDrawnGrids, problems: [ImportProblem]) {
        var problems: [ImportProblem] = []
        func problem(_ kind: ImportProblem.Kind, _ message: String, layer: String? = nil, feature: String? = nil, field: String? = nil) {
            problems.append(ImportProblem(kind, message, file: path, layer: layer, featureID: feature, field: field))
        }
        guard let source = try readLayer(path, name: layer, encoding: encoding, problem: { problem(.noLayer, $0, layer: layer) }) else {
            return (HandDrawnGrids(path: path, layer: layer ?? "", fields: [], codeField: codeField ?? "", grids: []), problems)
        }
        let name = source.name
        let fieldNames = source.fields.map(\.name)
        let code = codeField ?? codeFieldNames.first { fieldNames.contains($0) }
        if code == nil || !fieldNames.contains(code ?? "") {
            problem(.missingCodeField, "no field \(code.map { "named \($0)" } ?? "of the usual names (\(codeFieldNames.joined(separator: ", ")))") "
                    + "holds the office's grid codes; the fields are \(fieldNames.joined(separator: ", ")) (choose one with --code-field)",
                    layer: name, field: code)
        }
        let nameChosen = nameField ?? nameFieldNames.first { fieldNames.contains($0) }
        if let nameField, !fieldNames.contains(nameField) {
            problem(.missingNameField, "no field named \(nameField); the fields are \(fieldNames.joined(separator: ", "))", layer: name, field: nameField)
        }
        let transformer: CoordinateTransformer?
        do {
            let from = source.srs?.epsgCode.map(Int.init) ?? (path.lowercased().hasSuffix("json") ? 4326 : nil)
            guard let from else { throw ProjectionError(.unknownCRS, message: "no EPSG code") }
            transformer = try CoordinateTransformer(from: from, to: epsg)
        } catch {
            problem(.noCRS, "the layer's CRS (\(source.srs.map { "\($0.organization):\($0.organizationID)" } ?? "none")) is not one PROJ knows: \(error)",
                    layer: name)
            transformer = nil
        }
        var grids: [Grid] = []
        var firstOfCode: [String: Int64] = [:]
        for (position, feature) in source.features.enumerated() {
            let id = feature.fid ?? Int64(position + 1)
            var officeCode: String?
            if let code, fieldNames.contains(code) {
                officeCode = feature[code].codeText?.trimmingCharacters(in: .whitespaces)
                if officeCode?.isEmpty ?? true {
                    problem(.missingCode, "the grid has no office code", layer: name, feature: String(id), field: code)
                    officeCode = nil
                } else if let officeCode, let first = firstOfCode[officeCode] {
                    problem(.duplicateCode, "code \(InputExcerpt.of(officeCode, limit: 60)) is also feature \(first)'s", layer: name, feature: String(id), field: code)
                } else if let officeCode {
                    firstOfCode[officeCode] = id
                }
            }
            let geometry = checkedPolygon(feature.geometry) { problem($0, $1, layer: name, feature: String(id), field: "geom") }
            guard let geometry, let officeCode, let transformer else { continue }
            do {
                grids.append(Grid(featureID: id, officeCode: officeCode, properties: feature.properties,
                                  geometry: try transformer.transform(geometry)))
            } catch {
                problem(.noCRS, "cannot transform to EPSG:\(epsg): \(error)", layer: name, feature: String(id), field: "geom")
            }
        }
        return (HandDrawnGrids(path: path, layer: name, fields: source.fields, codeField: code ?? "", nameField: nameChosen, grids: grids), problems)
    }

    /// The layer `name`, or the file's only polygon layer (`grids` when there are several);
    /// nil after calling `problem` when there is no such layer. A GeoPackage and a GeoJSON file
    /// have their own readers; GDAL reads the rest (a Shapefile or a folder of them, MapInfo,
    /// DXF, KML, FlatGeobuf, FileGDB), `encoding` decoding a Shapefile's DBF over its `.cpg`.
    private static func readLayer(_ path: String, name: String?, encoding: TextEncoding?, problem: (String) -> Void) throws -> Layer? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".geojson") || lowered.hasSuffix(".json") {
            return try GeoJSON.readLayer(path: path, name: name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        }
        let source = try LayerSource(path: path, encoding: encoding)
        if let name {
            guard source.layerNames.contains(name) else {
                problem("no layer named \(name); the layers are \(source.layerNames.joined(separator: ", "))")
                return nil
            }
            return try source.readLayer(name)
        }
        // GDAL says a layer's type only as it reads it: those layers are kept, not read again.
        var read: [String: Layer] = [:]
        let polygonal = try source.layerNames.filter { layer in
            let type: String?
            switch source {
            case .geoPackage(let reader):
                type = try reader.layerInfo(layer).geometryType
            case .gdal(let reader):
                read[layer] = try reader.readLayer(layer)
                type = read[layer]?.geometryType
            }
            let upper = type?.uppercased() ?? ""
            return upper.contains("POLYGON") || upper == "GEOMETRY"
        }
        let chosen = polygonal.count == 1 ? polygonal.first : polygonal.first { $0 == "grids" }
        guard let chosen else {
            problem(polygonal.isEmpty ? "the file has no polygon layer"
                    : "the file has several polygon layers (\(polygonal.joined(separator: ", "))): choose one with --grids-layer")
            return nil
        }
        return try read[chosen] ?? source.readLayer(chosen)
    }

    /// A GeoPackage, or any other file GDAL opens.
    private enum LayerSource {
        case geoPackage(GeoPackageReader)
        case gdal(GDALReader)

        init(path: String, encoding: TextEncoding?) throws {
            do {
                self = .geoPackage(try GeoPackageReader(path: path))
            } catch let error as FeatureIOError where error.kind == .notAGeoPackage {
                self = .gdal(try GDALReader(path: path, encoding: encoding))
            }
        }

        var layerNames: [String] {
            switch self {
            case .geoPackage(let reader): reader.layerNames
            case .gdal(let reader): reader.layerNames
            }
        }

        func readLayer(_ name: String) throws -> Layer {
            switch self {
            case .geoPackage(let reader): try reader.readLayer(name)
            case .gdal(let reader): try reader.readLayer(name)
            }
        }
    }

    /// The feature's geometry when it is a valid polygon or multipolygon; otherwise nil, after
    /// calling `problem`.
    private static func checkedPolygon(_ geometry: Geometry?, problem: (ImportProblem.Kind, String) -> Void) -> Geometry? {
        guard let geometry, geometry.dimension == 2, !geometry.polygons.isEmpty else {
            problem(.notPolygon, "the geometry is \(geometry?.typeName ?? "missing"), not a polygon")
            return nil
        }
        let valid: Bool
        do {
            valid = try geometry.isValid()
        } catch {
            problem(.invalidGeometry, "GEOS cannot read the polygon: \(error)")
            return nil
        }
        guard valid else {
            let reason = (try? geometry.validityReason()) ?? "not valid"
            problem(.invalidGeometry, "the polygon is not valid (\(reason)); mend it in the GIS and import again")
            return nil
        }
        return geometry
    }
}
