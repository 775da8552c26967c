public import FeatureIO

/// Where a grids file's layers are read from: a GeoPackage (the engine's own output, which may
/// hold a stored lookup index), or through GDAL anything else, a PostGIS database named by a
/// connection (`PG:"host=... dbname=..."`, where `gridweave partition -o PG:...` writes) first.
///
/// Not Sendable: a GDAL dataset belongs to one thread at a time.
public enum GridsSource {
    case geoPackage(GeoPackageReader)
    case gdal(GDALReader)

    /// Opens `path`: a connection through GDAL, a GeoPackage through SQLite, another file that
    /// GDAL reads through GDAL.
    /// - Throws: `GridLookupError` naming the source (a connection without its password).
    public static func open(_ path: String) throws -> GridsSource {
        do {
            if DatabaseConnection.isConnection(path) { return .gdal(try GDALReader(path: path)) }
            do {
                return .geoPackage(try GeoPackageReader(path: path))
            } catch let error as FeatureIOError where error.kind == .notAGeoPackage && FileCheck.kind(of: path) == .regularFile {
                // Another format GDAL reads (FlatGeobuf, a Shapefile...); if none, the GeoPackage's words.
                guard let reader = try? GDALReader(path: path) else { throw error }
                return .gdal(reader)
            }
        } catch let error as FeatureIOError {
            throw GridLookupError(unreadable: error, file: DatabaseConnection.displayName(path))
        }
    }

    /// Whether the source is a GeoPackage, the only kind that stores a lookup index.
    public var isGeoPackage: Bool {
        if case .geoPackage = self { return true }
        return false
    }

    public var layerNames: [String] {
        switch self {
        case .geoPackage(let reader): reader.layerNames
        case .gdal(let reader): reader.layerNames
        }
    }

    /// Every feature of layer `name` in the order of their fids (a database gives rows in no
    /// promised order; the lookup's rule for a point on the coverage's outer boundary takes the
    /// first grid in file order, so the order must be the file's).
    public func readLayer(_ name: String) throws(FeatureIOError) -> Layer {
        do {
            switch self {
            case .geoPackage(let reader):
                return try reader.readLayer(name)
            case .gdal(let reader):
                var layer = try reader.readLayer(name)
                if layer.features.contains(where: { $0.fid != nil }) {
                    layer.features = layer.features.enumerated()
                        .sorted { ($0.element.fid ?? Int64($0.offset), $0.offset) < ($1.element.fid ?? Int64($1.offset), $1.offset) }
                        .map(\.element)
                }
                return layer
            }
        } catch let error as FeatureIOError {
            throw error
        } catch {
            throw FeatureIOError(.notReadable, "\(error)", layer: name)
        }
    }
}

@available(*, unavailable) extension GridsSource: Sendable {}
