import GeometryEngine

/// The metric projected CRS in which the engine measures areas, lengths and distances.
public enum WorkingCRS {
    /// The EPSG code of the working CRS for data centred at this WGS 84 longitude/latitude.
    ///
    /// Inside China (the box of `GCJ02.isOutsideChina`): the CGCS2000 3-degree Gauss-Krüger
    /// zone with the nearest central meridian, EPSG:4534 (75°E) to EPSG:4554 (135°E), without
    /// a zone prefix on the easting; a tie goes east. Elsewhere: the WGS 84 UTM zone,
    /// EPSG:326zz in the north and 327zz in the south. Out-of-range longitudes are clamped to
    /// the first or last zone; a non-finite coordinate counts as 0.
    public static func epsg(forLongitude longitude: Double, latitude: Double) -> Int {
        let longitude = longitude.isFinite ? longitude : 0
        let latitude = latitude.isFinite ? latitude : 0
        if !GCJ02.isOutsideChina(XY(longitude, latitude)) {
            let zone = ((longitude - 75) / 3).rounded(.toNearestOrAwayFromZero)
            return 4534 + Int(min(max(zone, 0), 20))
        }
        let zone = Int(min(max(((longitude + 180) / 6).rounded(.down), 0), 59)) + 1
        return (latitude >= 0 ? 32600 : 32700) + zone
    }
}
