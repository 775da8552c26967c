/// The residential building types of a Chinese city and how they stand on their land.
///
/// Households follow the floor plans: a slab or walk-up has two flats per floor on each
/// entrance unit (一梯两户), a tower four (一梯四户).
enum BuildingType {
    /// 板楼: 11-18 floors, 2-4 units, in gated compounds.
    case slab
    /// 多层: 5-6 floors, 2-4 units, in courtyards or old open neighbourhoods.
    case walkUp
    /// 塔楼: 25-33 floors, 1-2 units.
    case tower

    var floorRange: ClosedRange<Int> {
        switch self {
        case .slab: 11...18
        case .walkUp: 5...6
        case .tower: 25...33
        }
    }

    var householdsPerFloorPerUnit: Int { self == .tower ? 4 : 2 }

    func households(units: Int, floors: Int) -> Int { units * floors * householdsPerFloorPerUnit }

    /// Fewest entrance units of the type.
    var unitRange: ClosedRange<Int> {
        switch self {
        case .slab, .walkUp: 2...4
        case .tower: 1...2
        }
    }

    /// The units and floors of the next building, drawn as `units` and `floors`, when
    /// `remaining` households are still wanted: as drawn if it fits; else lowered (floors, then
    /// units: a smaller building still fits its slot) to the largest that fits; else the
    /// smallest of the type if that overshoots by less than half of it; else nil (build no more).
    func sized(units: Int, floors: Int, toFit remaining: Int) -> (units: Int, floors: Int)? {
        for fewer in stride(from: units, through: unitRange.lowerBound, by: -1) {
            let perFloor = fewer * householdsPerFloorPerUnit
            let fitting = min(floors, remaining / perFloor)
            if fitting >= floorRange.lowerBound { return (fewer, fitting) }
        }
        let smallest = households(units: unitRange.lowerBound, floors: floorRange.lowerBound)
        return 2 * remaining >= smallest ? (unitRange.lowerBound, floorRange.lowerBound) : nil
    }

    /// Footprint length (along the street grid's u axis) and depth, metres.
    func footprint(units: Int) -> (length: Double, depth: Double) {
        switch self {
        case .slab: (Double(units) * 15 + 2, 12)
        case .walkUp: (Double(units) * 13 + 2, 11)
        case .tower: units == 1 ? (24, 22) : (40, 20)
        }
    }

    /// Gap between neighbours along a row (east-west).
    var gapU: Double {
        switch self {
        case .slab: 15
        case .walkUp: 10
        case .tower: 30
        }
    }

    /// Gap between rows (north-south): the sunlight spacing, about 0.9 times the height for slabs.
    func gapV(floors: Int) -> Double {
        switch self {
        case .slab: max(26, Double(floors) * 2.9 * 0.9)
        case .walkUp: 16
        case .tower: 45
        }
    }

    /// Free land between the buildings and the parcel edge (the compound wall).
    static let parcelMargin = 8.0

    /// The households towers are sure to hold on `rect`: the better of one- and two-unit towers,
    /// every slot filled, at the lowest floor count. The parcel filler can always reach it, which
    /// is what lets a community's household target be promised before its parcels are filled.
    static func guaranteedTowerHouseholds(on rect: PlanRect) -> Int {
        [1, 2].map { units in
            let (length, depth) = BuildingType.tower.footprint(units: units)
            let layout = GridLayout(in: rect, length: length, depth: depth, gapU: BuildingType.tower.gapU,
                                    gapV: BuildingType.tower.gapV(floors: 25), margin: parcelMargin)
            return layout.count * BuildingType.tower.households(units: units, floors: BuildingType.tower.floorRange.lowerBound)
        }.max() ?? 0
    }
}
