import DistrictModel
import DistrictSynthesis
import GeometryEngine

// Districts shared by the tests: generated once per test process (global lets are lazy and
// thread-safe), small enough for O(n²) checks through GEOS.

/// About seven communities, one village, one of each fault.
let smallCity = SyntheticCity.generateWithReport(.init(seed: 7, households: 20_000))
/// About 65 communities and three villages.
let mediumCity = SyntheticCity.generateWithReport(.init(seed: 11, households: 200_000))
/// The small city without faults.
let cleanCity = SyntheticCity.generateWithReport(.init(seed: 7, households: 20_000, includeMess: false))

extension Geometry {
    /// The geometry, repaired when GEOS finds it invalid (the bow-ties of the mess).
    func repaired() throws -> Geometry { try isValid() ? self : makeValid() }
}

extension Envelope {
    func overlaps(_ other: Envelope?) -> Bool { other.map(intersects) ?? false }
}

/// For each building, the index of the community holding most of its area (nil when outside
/// every one), computed with GEOS from the district's geometry alone.
func homeCommunities(of district: District) throws -> [Int?] {
    let envelopes = district.communities.map(\.geometry.envelope)
    return try district.buildings.map { building in
        let footprint = try building.geometry.repaired()
        var best: (index: Int, area: Double)?
        for (index, community) in district.communities.enumerated() where footprint.envelope?.overlaps(envelopes[index]) ?? false {
            let area = try footprint.intersection(community.geometry).area()
            if area > 0, area > best?.area ?? 0 { best = (index, area) }
        }
        return best?.index
    }
}

/// Households per community, each building counted in its home community.
func householdsByCommunity(_ district: District) throws -> [Int] {
    var households = [Int](repeating: 0, count: district.communities.count)
    for (building, home) in zip(district.buildings, try homeCommunities(of: district)) {
        if let home { households[home] += building.households }
    }
    return households
}
