import Foundation
import FeatureIO

/// Where a district's layers come from: one GeoPackage, a folder of `<layer>.geojson` files, or
/// anything else GDAL reads (a Shapefile or a folder of them, MapInfo, DXF, KML, FlatGeobuf,
/// FileGDB). GeoPackage and GeoJSON keep their own readers; GDAL reads the rest.
enum DistrictSource {
    case geoPackage(path: String, reader: GeoPackageReader)
    case geoJSONFolder(path: String)
    case gdal(path: String, reader: GDALReader)

    /// Opens `path`, or throws a `DistrictError` that names it.
    /// - Parameter encoding: a Shapefile's DBF encoding, over its `.cpg` (`--encoding`).
    static func open(_ path: String, encoding: TextEncoding? = nil) throws -> DistrictSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DistrictError(.missingFile, file: path, message: "no such file or folder")
        }
        if isDirectory.boolValue {
            // A folder without GeoJSON that GDAL reads is a folder of Shapefiles (or FlatGeobuf,
            // or a FileGDB); any other folder keeps the GeoJSON folder's messages.
            if !holdsGeoJSON(path), let reader = try? GDALReader(path: path, encoding: encoding), !reader.layerNames.isEmpty {
                return .gdal(path: path, reader: reader)
            }
            return .geoJSONFolder(path: path)
        }
        do {
            return .geoPackage(path: path, reader: try GeoPackageReader(path: path))
        } catch let error as FeatureIOError where error.kind == .notAGeoPackage {
            do {
                return .gdal(path: path, reader: try GDALReader(path: path, encoding: encoding))
            } catch let error as FeatureIOError {
                throw DistrictError(unreadable: error, file: path)
            }
        } catch let error as FeatureIOError {
            throw DistrictError(unreadable: error, file: path)
        }
    }

    private static func holdsGeoJSON(_ path: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.contains { $0.lowercased().hasSuffix(".geojson") }
    }

    var path: String {
        switch self {
        case .geoPackage(let path, _), .geoJSONFolder(let path), .gdal(let path, _): path
        }
    }

    /// The layers the source has, by the source's names.
    var layerNames: [String] {
        switch self {
        case .geoPackage(_, let reader): reader.layerNames
        case .gdal(_, let reader): reader.layerNames
        case .geoJSONFolder(let path):
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { $0.hasSuffix(".geojson") }.map { String($0.dropLast(".geojson".count)) }.sorted()
        }
    }

    /// The file a layer by the source's name is read from, for messages.
    func file(of name: String) -> String {
        switch self {
        case .geoPackage(let path, _): path
        case .geoJSONFolder(let path): (path as NSString).appendingPathComponent("\(name).geojson")
        case .gdal(_, let reader): reader.file(ofLayer: name)
        }
    }

    func hasLayer(_ name: String) -> Bool {
        switch self {
        case .geoPackage(_, let reader): reader.layerNames.contains(name)
        case .gdal(_, let reader): reader.layerNames.contains(name)
        case .geoJSONFolder: FileManager.default.fileExists(atPath: file(of: name))
        }
    }

    /// Reads the layer the source calls `name`, as `layer` of the district.
    func read(_ name: String, as layer: DistrictLayer) throws -> Layer {
        do {
            switch self {
            case .geoPackage(_, let reader): return try reader.readLayer(name)
            case .geoJSONFolder: return try GeoJSON.readLayer(path: file(of: name), name: name)
            case .gdal(_, let reader): return try reader.readLayer(name)
            }
        } catch let error as FeatureIOError {
            var located = DistrictError(unreadable: error, file: file(of: name), layer: layer.rawValue)
            if error.kind == .undecodableText {
                located.message += "; name the file's encoding with --encoding GBK (or GB18030, UTF-8), or give it a .cpg"
            }
            throw located
        }
    }
}

extension DistrictError {
    /// The district-level error for a file FeatureIO could not read, keeping its location.
    init(unreadable error: FeatureIOError, file: String, layer: String? = nil) {
        let kind: Kind = error.kind == .fileNotFound ? .missingFile : .unreadable
        self.init(kind, file: error.file ?? file, layer: error.layer ?? layer,
                  featureID: error.featureID ?? error.row.map { "row \($0)" }, field: error.field,
                  message: error.message)
    }
}
