import Foundation
import GeometryEngine
import TestSupport

extension SplitMix64 {
    /// `count` longitude/latitude points in a box.
    mutating func points(_ count: Int, longitude: ClosedRange<Double>, latitude: ClosedRange<Double>) -> [XY] {
        (0..<count).map { _ in XY(next(in: longitude), next(in: latitude)) }
    }
}

/// Mainland China and Hainan, well inside the box that GCJ-02 shifts.
let chinaLongitudes = 73.5...135.0
let chinaLatitudes = 18.0...53.5

/// The distance in metres between two longitude/latitude points, on a sphere of the Earth's
/// mean radius: exact enough (0.5 %) to tell a millimetre from a metre.
func metres(_ a: XY, _ b: XY) -> Double {
    let radius = 6_371_008.8, radian = Double.pi / 180
    let dx = (a.x - b.x) * radian * cos((a.y + b.y) / 2 * radian) * radius
    let dy = (a.y - b.y) * radian * radius
    return (dx * dx + dy * dy).squareRoot()
}

/// The largest distance in metres between corresponding points.
func maxMetres(_ a: [XY], _ b: [XY]) -> Double {
    zip(a, b).map { metres($0, $1) }.max() ?? 0
}

func isClose(_ a: XY, _ b: XY, within tolerance: Double) -> Bool {
    abs(a.x - b.x) <= tolerance && abs(a.y - b.y) <= tolerance
}
