#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GeometryEngine

/// BD-09, Baidu Maps' datum: a second published shift applied on top of GCJ-02.
///
/// Coordinates are `XY(longitude, latitude)` in degrees. The functions allocate nothing and
/// are inlinable.
public enum BD09 {
    /// The BD-09 coordinates of a GCJ-02 point.
    @inlinable
    public static func fromGCJ02(_ gcj: XY) -> XY {
        let x = gcj.x, y = gcj.y
        let z = (x * x + y * y).squareRoot() + 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) + 0.000003 * cos(x * xPi)
        return XY(z * cos(theta) + 0.0065, z * sin(theta) + 0.006)
    }

    /// The GCJ-02 coordinates of a BD-09 point: the exact inverse of `fromGCJ02`.
    ///
    /// The widely published inverse is approximate (off by up to a few metres); it is the
    /// starting point here of a fixed-point iteration that stops once the forward image is
    /// within 1e-10 degrees of `bd`.
    @inlinable
    public static func toGCJ02(_ bd: XY) -> XY {
        var gcj = approximateGCJ02(bd)
        for _ in 0..<GCJ02.inverseIterationLimit {
            let image = fromGCJ02(gcj)
            let dx = image.x - bd.x, dy = image.y - bd.y
            if abs(dx) < GCJ02.inverseTolerance && abs(dy) < GCJ02.inverseTolerance { break }
            gcj.x -= dx
            gcj.y -= dy
        }
        return gcj
    }

    /// π scaled as Baidu's formulas scale it.
    @inlinable static var xPi: Double { 3.14159265358979324 * 3000.0 / 180.0 }

    /// The published approximate inverse.
    @inlinable
    static func approximateGCJ02(_ bd: XY) -> XY {
        let x = bd.x - 0.0065, y = bd.y - 0.006
        let z = (x * x + y * y).squareRoot() - 0.00002 * sin(y * xPi)
        let theta = atan2(y, x) - 0.000003 * cos(x * xPi)
        return XY(z * cos(theta), z * sin(theta))
    }
}
