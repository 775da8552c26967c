#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GeometryEngine

/// GCJ-02, the obfuscated datum of Chinese web maps (Gaode/AMap, Tencent, Google China):
/// WGS 84 longitude/latitude shifted by a published polynomial of up to several hundred metres.
///
/// Points outside a bounding box of China are not shifted (`isOutsideChina`). Coordinates are
/// `XY(longitude, latitude)` in degrees. The functions allocate nothing and are inlinable:
/// a lookup converts millions of points.
public enum GCJ02 {
    /// Whether the point lies outside the box (longitude 72.004...137.8347, latitude
    /// 0.8293...55.8271) that GCJ-02 shifts. The same box serves WGS 84 and GCJ-02 input:
    /// their difference is far smaller than the box's margin to the border that matters.
    @inlinable
    public static func isOutsideChina(_ point: XY) -> Bool {
        !(point.x >= 72.004 && point.x <= 137.8347 && point.y >= 0.8293 && point.y <= 55.8271)
    }

    /// The GCJ-02 coordinates of a WGS 84 point; unchanged outside China.
    @inlinable
    public static func fromWGS84(_ wgs: XY) -> XY {
        isOutsideChina(wgs) ? wgs : shifted(wgs)
    }

    /// The WGS 84 coordinates of a GCJ-02 point; unchanged outside China.
    ///
    /// The shift has no closed-form inverse. Fixed-point iteration on it converges fast (the
    /// shift changes by at most a few thousandths of a degree per degree, so each round gains
    /// about three digits) and stops once the forward image is within 1e-10 degrees (about
    /// 10 µm) of `gcj`: three or four rounds in practice.
    @inlinable
    public static func toWGS84(_ gcj: XY) -> XY {
        if isOutsideChina(gcj) { return gcj }
        var wgs = gcj
        // The iteration uses the unbounded shift so that a point near the box's edge does not
        // flip between shifted and unshifted from one round to the next.
        for _ in 0..<inverseIterationLimit {
            let image = shifted(wgs)
            let dx = image.x - gcj.x, dy = image.y - gcj.y
            if abs(dx) < inverseTolerance && abs(dy) < inverseTolerance { break }
            wgs.x -= dx
            wgs.y -= dy
        }
        return wgs
    }

    // MARK: - The published formulas

    /// Semi-major axis of the Krasovsky 1940 ellipsoid, which the formulas use.
    @inlinable static var a: Double { 6378245.0 }
    /// Its eccentricity squared.
    @inlinable static var ee: Double { 0.00669342162296594323 }
    @inlinable static var inverseTolerance: Double { 1e-10 }
    @inlinable static var inverseIterationLimit: Int { 30 }

    /// The point shifted by the GCJ-02 offset, without the outside-China test.
    @inlinable
    static func shifted(_ wgs: XY) -> XY {
        let x = wgs.x - 105.0, y = wgs.y - 35.0
        let pi = Double.pi
        // The published formulas compute this term twice, once for each offset.
        let common = (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
        let absXRoot = abs(x).squareRoot()

        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * absXRoot + common
        dLat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
        dLat += (160.0 * sin(y / 12.0 * pi) + 320 * sin(y * pi / 30.0)) * 2.0 / 3.0

        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * absXRoot + common
        dLon += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
        dLon += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0

        let radLat = wgs.y / 180.0 * pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = magic.squareRoot()
        // The offsets are in metres on the Krasovsky ellipsoid: divide by the meridional and
        // the parallel radius of curvature to get degrees.
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * pi)
        return XY(wgs.x + dLon, wgs.y + dLat)
    }
}
