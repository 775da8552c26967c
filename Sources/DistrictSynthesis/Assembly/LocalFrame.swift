#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif
import GeometryEngine

/// Turns the plan's local frame into the district CRS: a rotation about the centre of the
/// urban area, a shift to `origin`, and rounding to the millimetre.
///
/// Rounding is what makes the output stable: the same local point always gives the same
/// coordinates, so communities that share a junction share its rounded vertex exactly.
struct LocalFrame {
    let cosine: Double
    let sine: Double
    let center: PlanPoint
    let origin: XY

    init(rotationDegrees: Double, center: PlanPoint, origin: XY) {
        let radians = rotationDegrees * .pi / 180
        cosine = cos(radians)
        sine = sin(radians)
        self.center = center
        self.origin = origin
    }

    static func millimetres(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    func world(_ point: PlanPoint) -> XY {
        let du = point.u - center.u, dv = point.v - center.v
        return XY(Self.millimetres(origin.x + du * cosine - dv * sine), Self.millimetres(origin.y + du * sine + dv * cosine))
    }

    /// The points in the district CRS, without the repeats rounding may make.
    func world(_ points: [PlanPoint]) -> [XY] {
        var result: [XY] = []
        result.reserveCapacity(points.count)
        for point in points {
            let xy = world(point)
            if result.last != xy { result.append(xy) }
        }
        return result
    }

    func polygon(_ rect: PlanRect) -> Geometry {
        .polygon(Polygon(exterior: world(rect.ring)))
    }

    func footprint(_ building: DraftBuilding) -> Geometry {
        let c = building.corners
        let order = building.bowTie ? [c[0], c[1], c[3], c[2], c[0]] : [c[0], c[1], c[2], c[3], c[0]]
        return .polygon(Polygon(exterior: order.map(world)))
    }
}
