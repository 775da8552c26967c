#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif
import DistrictModel

/// A rural administrative village at the edge of the city: an octagonal outline, one main
/// street, and houses of 2-3 floors, one household each, scattered on a loose grid.
struct VillagePlan {
    var outline: [PlanPoint]
    var houses: [DraftBuilding]
    var road: DraftRoad
    var shops: [DraftShop]
    var name: String
    var town: Int

    /// Villages stand in lanes west and east of the urban area, 500 m clear of it, stacked from
    /// its southern edge up: lane 0 west, lane 0 east, lane 1 west... Lane-0 villages have a
    /// road to the outer arterial.
    struct Placement {
        let city: PlanRect
        var lane = 0
        var east = false
        var cursor: Double
        static let clearance = 500.0
        static let laneWidth = 1_200.0
        static let gap = 300.0

        init(city: PlanRect) {
            self.city = city
            cursor = city.minV
        }

        /// The frame of the next village of `width` by `height`.
        mutating func next(width: Double, height: Double) -> PlanRect {
            if cursor > city.minV, cursor + height > city.maxV {
                if east { lane += 1 }
                east.toggle()
                cursor = city.minV
            }
            let offset = Self.clearance + Double(lane) * Self.laneWidth
            let minU = east ? city.maxU + offset : city.minU - offset - width
            defer { cursor += height + Self.gap }
            return PlanRect(minU: minU, minV: cursor, maxU: minU + width, maxV: cursor + height)
        }
    }

    static let spacing = 24.0

    /// Plans village `index` for about `households` households.
    init(index: Int, households: Int, placement: inout Placement, rng: inout SeededRandom) {
        town = index / 15
        name = Names.stem(index * 7 + 3) + (index >= Names.stems.count ? Names.chineseNumeral(index / Names.stems.count + 1) : "") + "村"
        // Enough room for the houses on 60% of the slots, less the corners and the street.
        let area = Double(max(households, 1)) * Self.spacing * Self.spacing / 0.6 / 0.8
        let ratio = rng.uniform(0.8...1.25)
        let width = max((area * ratio).squareRoot(), 160), height = max(area / width, 160)
        let frame = placement.next(width: width, height: height)
        let chamfer = 0.2 * min(width, height)
        let corners = [PlanPoint(frame.minU + chamfer, frame.minV), PlanPoint(frame.maxU - chamfer, frame.minV),
                       PlanPoint(frame.maxU, frame.minV + chamfer), PlanPoint(frame.maxU, frame.maxV - chamfer),
                       PlanPoint(frame.maxU - chamfer, frame.maxV), PlanPoint(frame.minU + chamfer, frame.maxV),
                       PlanPoint(frame.minU, frame.maxV - chamfer), PlanPoint(frame.minU, frame.minV + chamfer)]
        outline = corners + [corners[0]]

        // The main street runs east-west through the middle; lane-0 villages reach the city on it.
        let street = frame.center.v
        var streetPoints = [PlanPoint(frame.minU, street), PlanPoint(frame.maxU, street)]
        if placement.lane == 0 {
            if placement.east { streetPoints.insert(PlanPoint(placement.city.maxU, street), at: 0) } else { streetPoints.append(PlanPoint(placement.city.minU, street)) }
        }
        road = DraftRoad(points: streetPoints, roadClass: .branch, name: name + "路")

        // Houses: a loose grid, each jittered and turned a little; centres stay 18 m apart and no
        // house reaches 8.2 m from its centre, so none overlap.
        let turn = rng.uniform(-0.3...0.3)
        var slots: [DraftBuilding] = []
        let columns = Int(width / Self.spacing), rows = Int(height / Self.spacing)
        for row in 0..<rows {
            for column in 0..<columns {
                let center = PlanPoint(frame.minU + (Double(column) + 0.5) * Self.spacing + rng.uniform(-3...3),
                                       frame.minV + (Double(row) + 0.5) * Self.spacing + rng.uniform(-3...3))
                let house = DraftBuilding(center: center, halfU: rng.uniform(5...6.5), halfV: rng.uniform(4...5),
                                          angle: turn + rng.uniform(-0.08...0.08), households: 1, units: 1,
                                          floors: rng.int(2...3), kind: "residential", compound: nil)
                guard abs(center.v - street) > 12, house.corners.allSatisfy({ Self.isInside($0, corners, margin: 5) }) else { continue }
                slots.append(house)
            }
        }
        rng.shuffle(&slots)
        houses = Array(slots.prefix(households)).sorted { ($0.center.v, $0.center.u) < ($1.center.v, $1.center.u) }
        shops = (0..<rng.int(1...2)).map { k in
            DraftShop(point: PlanPoint(frame.minU + width * (0.35 + 0.3 * Double(k)), street + 3), footprint: nil,
                      category: k == 0 ? "convenience" : "restaurant")
        }
    }

    /// Whether `point` lies inside the convex counter-clockwise polygon `corners`, at least `margin` from its edges.
    static func isInside(_ point: PlanPoint, _ corners: [PlanPoint], margin: Double) -> Bool {
        for (k, a) in corners.enumerated() {
            let b = corners[(k + 1) % corners.count]
            let du = b.u - a.u, dv = b.v - a.v
            let cross = du * (point.v - a.v) - dv * (point.u - a.u)
            if cross < margin * (du * du + dv * dv).squareRoot() { return false }
        }
        return true
    }
}
