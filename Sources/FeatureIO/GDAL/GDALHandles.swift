import CGDAL

// One owner per GDAL handle: each class below opens or receives its handle in `init` and
// frees it exactly once in `deinit`. A child borrowed from its parent (a layer from its
// dataset, a feature's geometry from its feature) keeps the parent alive and is never freed.
// None is Sendable: a GDAL handle belongs to the thread that uses it.

/// An open GDAL vector dataset (`GDALDatasetH`), read-only.
final class GDALDatasetHandle {
    let handle: GDALDatasetH

    /// Opens `path` as a vector dataset with `openOptions` (`NAME=VALUE`), trying only
    /// `drivers` when given. Call inside `withGDALMessages`.
    init(path: String, openOptions: [String] = [], drivers: [String]? = nil) throws {
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        // GDALOpenEx returns NULL when no driver opens the path (its message says why).
        let opened = withCStringList(openOptions) { options in
            if let drivers {
                return withCStringList(drivers) { GDALOpenEx(path, flags, $0, options, nil) }
            }
            return GDALOpenEx(path, flags, nil, options, nil)
        }
        guard let opened else {
            throw FeatureIOError(.notReadable, GDALMessages.describe("not a GeoPackage, and no vector format GDAL reads"),
                                 file: path)
        }
        handle = opened
    }

    /// Opens the PostgreSQL/PostGIS database `connection` (`PG:...`) read-only, with
    /// `openOptions`. Call inside `withGDALMessages`.
    /// - Throws: `.notReadable` naming the connection without its password.
    init(connection: String, openOptions: [String] = []) throws {
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        // GDALOpenEx returns NULL when the database cannot be reached or refuses us (its message says why).
        let opened = withCStringList(openOptions) { options in
            withCStringList([PostGISWriter.driverName]) { GDALOpenEx(connection, flags, $0, options, nil) }
        }
        guard let opened else {
            throw FeatureIOError(.notReadable, PostGISWriter.connectionFailure(), file: DatabaseConnection.redacted(connection))
        }
        handle = opened
    }

    deinit {
        // GDALClose returns nothing in GDAL 3.6 (a CPLErr from 3.8 on, for a write that failed
        // on close); a read-only dataset has nothing to write, so there is nothing to report.
        GDALClose(handle)
    }

    /// The short name of the driver that opened it (`ESRI Shapefile`, `MapInfo File`, `KML`...).
    var driverName: String {
        // GDALGetDatasetDriver returns the borrowed driver, NULL only for a dataset with none;
        // GDALGetDriverShortName returns a borrowed, never-NULL string.
        guard let driver = GDALGetDatasetDriver(handle) else { return "" }
        return String(cString: GDALGetDriverShortName(driver))
    }

    var layers: [GDALLayerHandle] {
        // GDALDatasetGetLayerCount returns >= 0; GDALDatasetGetLayer a borrowed layer or NULL.
        (0..<GDALDatasetGetLayerCount(handle)).compactMap { index in
            GDALDatasetGetLayer(handle, index).map { GDALLayerHandle($0, of: self) }
        }
    }
}

/// A layer of an open dataset (`OGRLayerH`), borrowed: the dataset owns it.
struct GDALLayerHandle {
    let handle: OGRLayerH
    /// Keeps the dataset, and so the layer, alive.
    let dataset: GDALDatasetHandle

    init(_ handle: OGRLayerH, of dataset: GDALDatasetHandle) {
        self.handle = handle
        self.dataset = dataset
    }

    /// The layer's name as GDAL reports it (UTF-8; a Shapefile's is its file name).
    var name: String {
        // OGR_L_GetName returns a borrowed, never-NULL string.
        String(cString: OGR_L_GetName(handle))
    }

    /// The next feature, owned by the caller, or nil after the last one.
    func nextFeature() -> GDALFeatureHandle? {
        // OGR_L_GetNextFeature returns a new feature the caller must destroy, or NULL at the end
        // (and on a read error, which leaves a message: the caller asks for it).
        OGR_L_GetNextFeature(handle).map(GDALFeatureHandle.init)
    }
}

/// One feature read from a layer (`OGRFeatureH`), owned.
final class GDALFeatureHandle {
    let handle: OGRFeatureH

    init(_ handle: OGRFeatureH) { self.handle = handle }

    deinit { OGR_F_Destroy(handle) }
}

/// A geometry GDAL made for us (`OGRGeometryH`), owned: the linear copy of a curve.
final class GDALGeometryHandle {
    let handle: OGRGeometryH

    init(_ handle: OGRGeometryH) { self.handle = handle }

    deinit { OGR_G_DestroyGeometry(handle) }
}

/// A spatial reference GDAL made for us (`OGRSpatialReferenceH`), owned: a clone to identify.
final class GDALSpatialReferenceHandle {
    let handle: OGRSpatialReferenceH

    init(_ handle: OGRSpatialReferenceH) { self.handle = handle }

    deinit { OSRDestroySpatialReference(handle) }
}
