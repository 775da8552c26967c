public import GeometryEngine
import Projections

/// The metric CRS in which maps and measures of a grids file are made.
public enum MetricCRS {
    /// The working CRS (`WorkingCRS`) for data in `sourceEPSG` lying in `extent`: the CGCS2000
    /// Gauss-Krüger zone of its centre in China, the UTM zone elsewhere. A source already in that
    /// CRS stays as it is. Web Mercator (EPSG:3857) and geographic CRSs are never kept: their units
    /// are not metres on the ground.
    /// - Throws: `ProjectionError` when PROJ does not know `sourceEPSG`.
    public static func epsg(forSource sourceEPSG: Int, extent: Envelope?) throws -> Int {
        guard let center = extent?.center else { return sourceEPSG }
        let lonLat = sourceEPSG == 4326 ? center : try CoordinateTransformer(from: sourceEPSG, to: 4326).transform(center)
        return WorkingCRS.epsg(forLongitude: lonLat.x, latitude: lonLat.y)
    }
}
