import Foundation
import GeometryEngine
import Projections

/// Metres per unit of x and of y at a point of the grids file's CRS: what turns a distance in
/// the file's coordinates into metres on the ground, for the `near` tolerance and distances.
///
/// Geographic CRSs (degrees) use the WGS 84 ellipsoid's radii of curvature at the point's
/// latitude: exact for the short distances a tolerance spans (50 m: the error is of the order
/// of 50 m / 6,400 km). Projected CRSs use scale factors measured through PROJ at 17 × 17 points
/// over the grids' extent and interpolated bilinearly between them (a Gauss-Krüger zone's scale
/// changes by less than 0.01% across a city; Web Mercator's by about 0.3% over 50 km, which the
/// interpolation follows). A file without a CRS is taken to be in metres.
struct MetricScale: Sendable {
    private enum Model: Sendable {
        case unit
        case geographic
        case sampled(samples: [Double], size: Int, origin: XY, step: XY)
    }

    private let model: Model

    static let unit = MetricScale(model: .unit)

    private init(model: Model) {
        self.model = model
    }

    /// The scale for coordinates in EPSG `epsg` over `bounds`.
    /// - Throws: `ProjectionError` when PROJ does not know the CRS or cannot bring it to WGS 84.
    init(epsg: Int?, bounds: Envelope?) throws {
        guard let epsg else {
            self.init(model: .unit)
            return
        }
        let crs = try CRSInfo.lookup(epsg: epsg)
        if crs.isGeographic {
            self.init(model: .geographic)
            return
        }
        let bounds = bounds ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)
        let size = 17
        let step = XY(max(bounds.width, 1) / Double(size - 1), max(bounds.height, 1) / Double(size - 1))
        let origin = XY(bounds.minX, bounds.minY)
        let toLonLat = try CoordinateTransformer(from: epsg, to: 4326)
        // Measured over a short step: a thousandth of a sample spacing, at least 1 unit.
        let h = max(min(step.x, step.y) / 1000, 1)
        var samples: [Double] = []
        samples.reserveCapacity(size * size * 2)
        for j in 0..<size {
            for i in 0..<size {
                let x = origin.x + Double(i) * step.x, y = origin.y + Double(j) * step.y
                var points = [XY(x, y), XY(x + h, y), XY(x, y + h)]
                try toLonLat.transform(&points)
                samples.append(Self.groundDistance(points[0], points[1]) / h)
                samples.append(Self.groundDistance(points[0], points[2]) / h)
            }
        }
        self.init(model: .sampled(samples: samples, size: size, origin: origin, step: step))
    }

    /// The scale as numbers, for a stored index: kind (0 unit, 1 geographic, 2 sampled), then for
    /// a sampled one its size, origin and step; and the samples.
    var stored: (numbers: [Double], samples: [Double]) {
        switch model {
        case .unit: ([0], [])
        case .geographic: ([1], [])
        case .sampled(let samples, let size, let origin, let step): ([2, Double(size), origin.x, origin.y, step.x, step.y], samples)
        }
    }

    /// The scale `stored` gave, or nil when the numbers do not make one.
    init?(stored numbers: [Double], samples: [Double]) {
        switch numbers.first {
        case 0: self.init(model: .unit)
        case 1: self.init(model: .geographic)
        case 2:
            guard numbers.count == 6, numbers[1] >= 2, numbers[1] <= 1_000 else { return nil }
            let size = Int(numbers[1])
            guard samples.count == size * size * 2, numbers[2...].allSatisfy(\.isFinite) else { return nil }
            self.init(model: .sampled(samples: samples, size: size, origin: XY(numbers[2], numbers[3]), step: XY(numbers[4], numbers[5])))
        default: return nil
        }
    }

    /// Metres per unit of x and of y at (x, y).
    func at(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        switch model {
        case .unit:
            return (1, 1)
        case .geographic:
            let radii = Self.radii(latitude: min(max(y, -90), 90))
            return (radii.parallel, radii.meridian)
        case .sampled(let samples, let size, let origin, let step):
            let u = min(max((x - origin.x) / step.x, 0), Double(size - 1))
            let v = min(max((y - origin.y) / step.y, 0), Double(size - 1))
            let i = min(Int(u), size - 2), j = min(Int(v), size - 2)
            let fu = u - Double(i), fv = v - Double(j)
            func sample(_ i: Int, _ j: Int, _ axis: Int) -> Double { samples[(j * size + i) * 2 + axis] }
            func blend(_ axis: Int) -> Double {
                let bottom = sample(i, j, axis) * (1 - fu) + sample(i + 1, j, axis) * fu
                let top = sample(i, j + 1, axis) * (1 - fu) + sample(i + 1, j + 1, axis) * fu
                return bottom * (1 - fv) + top * fv
            }
            return (blend(0), blend(1))
        }
    }

    // MARK: The WGS 84 ellipsoid

    private static let semiMajorAxis = 6_378_137.0
    private static let eccentricitySquared = 0.006_694_379_990_14

    /// Metres per degree along a parallel and along a meridian at `latitude`.
    static func radii(latitude: Double) -> (parallel: Double, meridian: Double) {
        let phi = latitude * .pi / 180
        let s = sin(phi)
        let w = 1 - eccentricitySquared * s * s
        let prime = semiMajorAxis / w.squareRoot()
        let meridional = semiMajorAxis * (1 - eccentricitySquared) / (w * w.squareRoot())
        return (prime * cos(phi) * .pi / 180, meridional * .pi / 180)
    }

    /// The distance in metres between two nearby lon/lat points (a local flat approximation,
    /// exact to the first order for the short steps it is used on).
    static func groundDistance(_ a: XY, _ b: XY) -> Double {
        let radii = radii(latitude: (a.y + b.y) / 2)
        let dx = (b.x - a.x) * radii.parallel, dy = (b.y - a.y) * radii.meridian
        return (dx * dx + dy * dy).squareRoot()
    }
}
