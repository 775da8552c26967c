import Foundation
import FeatureIO

/// Where a district's layers come from: one GeoPackage, or a folder of `<layer>.geojson` files.
enum DistrictSource {
    case geoPackage(path: String, reader: GeoPackageReader)
    case geoJSONFolder(path: String)

    /// Opens `path`, or throws a `DistrictError` that names it.
    static func open(_ path: String) throws -> DistrictSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DistrictError(.missingFile, file: path, message: "no such file or folder")
        }
        if isDirectory.boolValue { return .geoJSONFolder(path: path) }
        do {
            return .geoPackage(path: path, reader: try GeoPackageReader(path: path))
        } catch let error as FeatureIOError {
            throw DistrictError(unreadable: error, file: path)
        }
    }

    var path: String {
        switch self {
        case .geoPackage(let path, _), .geoJSONFolder(let path): path
        }
    }

    /// The file a layer is read from, for messages.
    func file(of layer: DistrictLayer) -> String {
        switch self {
        case .geoPackage(let path, _): path
        case .geoJSONFolder(let path): (path as NSString).appendingPathComponent("\(layer.rawValue).geojson")
        }
    }

    func hasLayer(_ layer: DistrictLayer) -> Bool {
        switch self {
        case .geoPackage(_, let reader): reader.layerNames.contains(layer.rawValue)
        case .geoJSONFolder: FileManager.default.fileExists(atPath: file(of: layer))
        }
    }

    func read(_ layer: DistrictLayer) throws -> Layer {
        do {
            switch self {
            case .geoPackage(_, let reader): return try reader.readLayer(layer.rawValue)
            case .geoJSONFolder: return try GeoJSON.readLayer(path: file(of: layer), name: layer.rawValue)
            }
        } catch let error as FeatureIOError {
            throw DistrictError(unreadable: error, file: file(of: layer), layer: layer.rawValue)
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
