#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif
import DistrictModel

// What the generator places, in the plan's local frame, before assembly turns it into the
// district's features. Ids are given at assembly, in the order drafts were made.

/// A rectangular footprint: axis-aligned in the local frame unless `angle` (radians) turns it
/// about its centre (village houses).
struct DraftBuilding {
    var center: PlanPoint
    var halfU: Double
    var halfV: Double
    var angle: Double = 0
    var households: Int
    var units: Int?
    var floors: Int?
    var kind: String
    /// Index into `CityDraft.compounds`.
    var compound: Int?
    /// Index of the community holding most of it (into the planned communities, villages
    /// after the urban ones); nil for a building outside every community.
    var community: Int?
    /// Written as a bow-tie: corners in the order that makes the ring cross itself.
    var bowTie = false

    /// The corners counter-clockwise from the south-west one (before the bow-tie swap).
    var corners: [PlanPoint] {
        let c = angle == 0 ? 1.0 : cos(angle), s = angle == 0 ? 0.0 : sin(angle)
        return [(-halfU, -halfV), (halfU, -halfV), (halfU, halfV), (-halfU, halfV)].map { du, dv in
            PlanPoint(center.u + du * c - dv * s, center.v + du * s + dv * c)
        }
    }
}

struct DraftCompound {
    var rect: PlanRect
    var name: String
}

struct DraftDedicated {
    var rect: PlanRect
    var kind: DedicatedSite.Kind
    var name: String
}

struct DraftRoad {
    var points: [PlanPoint]
    var roadClass: RoadClass
    var name: String?
}

struct DraftShop {
    var point: PlanPoint
    /// A footprint instead of a point, for a few street-front shops.
    var footprint: PlanRect?
    var category: String
}

/// Everything placed so far.
struct CityDraft {
    var buildings: [DraftBuilding] = []
    var compounds: [DraftCompound] = []
    var dedicated: [DraftDedicated] = []
    var roads: [DraftRoad] = []
    var shops: [DraftShop] = []
}


extension DraftBuilding {
    var isResidential: Bool { kind == "residential" }
}
