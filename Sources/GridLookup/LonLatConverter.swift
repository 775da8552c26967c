import GeometryEngine
import Projections

/// Brings longitude/latitude in WGS 84, GCJ-02 or BD-09 into the CRS of a grids file, for
/// `GridIndex.locate`.
///
/// The datum shift is applied per point (`Datum.toWGS84`); the WGS 84 → file CRS step is one
/// PROJ call per batch, and none at all for a file in EPSG:4326. Owns a PROJ transformer, so one
/// converter belongs to one thread at a time (it is not `Sendable`); creating it costs tens of
/// milliseconds, so make one per thread and batch, not per point.
public final class LonLatConverter {
    /// The CRS the points are brought into.
    public let targetEPSG: Int
    /// Nil for EPSG:4326, where WGS 84 longitude/latitude are the file's coordinates already.
    private let transformer: CoordinateTransformer?

    /// - Throws: `ProjectionError` when PROJ does not know `targetEPSG` or has no way to it from WGS 84.
    public init(targetEPSG: Int) throws {
        self.targetEPSG = targetEPSG
        transformer = targetEPSG == 4326 ? nil : try CoordinateTransformer(from: 4326, to: targetEPSG)
    }

    /// The point in the target CRS; NaN coordinates when it has no image there.
    public func convert(_ lonLat: XY, datum: Datum = .wgs84) -> XY {
        let wgs84 = datum.toWGS84(lonLat)
        guard let transformer else { return wgs84 }
        return (try? transformer.transform(wgs84)) ?? XY(.nan, .nan)
    }

    /// Converts every point in place; a point with no image in the target CRS becomes NaN
    /// (`GridIndex.locate` answers `outside` for it).
    public func convert(_ points: inout [XY], datum: Datum = .wgs84) {
        if datum != .wgs84 {
            for i in points.indices { points[i] = datum.toWGS84(points[i]) }
        }
        guard let transformer else { return }
        do {
            try transformer.transform(&points)
        } catch {
            // One point without an image fails the whole call: do the batch point by point.
            for i in points.indices {
                points[i] = (try? transformer.transform(points[i])) ?? XY(.nan, .nan)
            }
        }
    }
}

@available(*, unavailable)
extension LonLatConverter: Sendable {}
