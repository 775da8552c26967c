import CPROJ

/// What a GeoPackage and a reader need to know about a coordinate reference system, read from
/// PROJ's database.
public struct CRSInfo: Hashable, Sendable {
    public let epsg: Int
    /// The EPSG name, such as "CGCS2000 / 3-degree Gauss-Kruger CM 117E". See `proj_get_name`.
    public let name: String
    /// True for a geographic 2D or 3D CRS (coordinates in degrees), false for projected,
    /// geocentric and other kinds. See `proj_get_type`.
    public let isGeographic: Bool
    /// The WKT 1 definition in GDAL's dialect: what `gpkg_spatial_ref_sys.definition` holds.
    /// See `proj_as_wkt` with `PJ_WKT1_GDAL`.
    public let wkt: String

    public init(epsg: Int, name: String, isGeographic: Bool, wkt: String) {
        self.epsg = epsg
        self.name = name
        self.isGeographic = isGeographic
        self.wkt = wkt
    }

    /// Reads the CRS with this EPSG code from PROJ's database. Uses a PROJ context of its own,
    /// so it may be called from any thread.
    /// - Throws: `ProjectionError` of kind `.unknownCRS` naming the code when PROJ does not know it.
    public static func lookup(epsg: Int) throws -> CRSInfo {
        let context = PROJContext()
        let crs = try context.crs(epsg: epsg)
        let type = proj_get_type(crs.pointer)
        let isGeographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS
        // Returns NULL for an object without a name; the string belongs to the object.
        let name = proj_get_name(crs.pointer).map { String(cString: $0) } ?? "EPSG:\(epsg)"
        return CRSInfo(epsg: epsg, name: name, isGeographic: isGeographic, wkt: try wkt1(crs, epsg: epsg))
    }

    private static func wkt1(_ crs: PROJObject, epsg: Int) throws -> String {
        let context = crs.context
        context.clearMessages()
        // Returns NULL when the CRS cannot be written as WKT 1; the string belongs to the object.
        if let wkt = proj_as_wkt(context.handle, crs.pointer, PJ_WKT1_GDAL, nil) {
            return String(cString: wkt)
        }
        // WKT 1 has no geographic 3D CRS; GDAL writes one as a compound of the 2D CRS and an
        // ellipsoidal height, which this option asks for.
        let option = "ALLOW_ELLIPSOIDAL_HEIGHT_AS_VERTICAL_CRS=YES"
        let wkt = option.withCString { option in
            var options: [UnsafePointer<CChar>?] = [option, nil]
            return options.withUnsafeMutableBufferPointer { proj_as_wkt(context.handle, crs.pointer, PJ_WKT1_GDAL, $0.baseAddress) }
        }
        guard let wkt else {
            throw context.error(.proj, "cannot be written as WKT 1", epsg: epsg)
        }
        return String(cString: wkt)
    }
}
