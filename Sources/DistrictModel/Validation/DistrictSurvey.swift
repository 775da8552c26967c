import Foundation
import GeometryEngine

/// Where each feature of a district lies among its communities, and the spatial problems
/// found on the way: buildings outside every community or across a boundary, overlapping
/// communities, shops and roads outside the district.
///
/// Computed in a metric CRS (`District.projected(to:)` with `workingEPSG()`), so that the
/// areas that decide a straddling building are square metres.
public struct DistrictSurvey: Sendable {
    /// For each building (same order as `District.buildings`), the index of its community in
    /// `District.communities`: the one holding most of its area; nil when outside every one.
    public var buildingCommunity: [Int?]
    /// For each shop, the index of the community containing it (nil when outside).
    public var shopCommunity: [Int?]
    public var findings: [DistrictFinding]

    /// Area of each community in square metres.
    public var communityArea: [Double]

    /// Surveys `district`, which must be in a metric CRS.
    public init(_ district: District) throws {
        let context = GEOSContext()
        let communities = try district.communities.map { try GEOSObject($0.geometry, context: context) }
        let prepared = try communities.map { try PreparedGeometry($0) }
        let tree = try SpatialTree(context: context)
        for (index, community) in communities.enumerated() { tree.insert(community, index: index) }
        communityArea = try communities.map { try $0.area() }
        findings = []

        // Communities that overlap each other (more than a square metre: digitising noise is not news).
        for (i, community) in communities.enumerated() {
            for j in tree.query(community) where j > i {
                let overlap = try community.intersection(communities[j]).area()
                if overlap > 1 {
                    findings.append(DistrictFinding(.overlappingCommunities, layer: .communities, featureID: district.communities[i].code,
                                                    detail: "overlaps community \(district.communities[j].code) by \(Self.squareMetres(overlap))"))
                }
            }
        }

        buildingCommunity = []
        buildingCommunity.reserveCapacity(district.buildings.count)
        for building in district.buildings {
            let footprint = try GEOSObject(building.geometry, context: context)
            let candidates = tree.query(footprint)
            if let inside = try candidates.first(where: { try prepared[$0].covers(footprint) }) {
                buildingCommunity.append(inside)
                continue
            }
            var shares: [(community: Int, area: Double)] = []
            for candidate in candidates {
                let area = try footprint.intersection(communities[candidate]).area()
                if area > 0 { shares.append((candidate, area)) }
            }
            guard let best = shares.max(by: { $0.area < $1.area || ($0.area == $1.area && $0.community > $1.community) }) else {
                buildingCommunity.append(nil)
                findings.append(DistrictFinding(.outsideCommunities, layer: .buildings, featureID: building.id,
                                                detail: "outside every community (\(building.households) households left out)"))
                continue
            }
            buildingCommunity.append(best.community)
            let total = try footprint.area()
            let share = total > 0 ? best.area / total : 1
            if shares.count > 1 || share < 0.999 {
                let others = shares.filter { $0.community != best.community }.map { district.communities[$0.community].code }
                let rest = others.isEmpty ? "the rest lies outside every community" : "the rest in \(others.joined(separator: ", "))"
                findings.append(DistrictFinding(.straddlesCommunities, layer: .buildings, featureID: building.id,
                                                detail: "assigned to \(district.communities[best.community].code), which holds \(Int((share * 100).rounded()))% of it; \(rest)"))
            }
        }

        shopCommunity = []
        for shop in district.shops {
            let geometry = try GEOSObject(shop.geometry, context: context)
            let home = try tree.query(geometry).first { try prepared[$0].intersects(geometry) }
            shopCommunity.append(home)
            if home == nil {
                findings.append(DistrictFinding(.outsideCommunities, layer: .shops, featureID: shop.id, detail: "outside every community"))
            }
        }

        for road in district.roads {
            let geometry = try GEOSObject(road.geometry, context: context)
            if try !tree.query(geometry).contains(where: { try prepared[$0].intersects(geometry) }) {
                findings.append(DistrictFinding(.outsideCommunities, layer: .roads, featureID: road.id,
                                                detail: "outside every community (\(Int(try geometry.length().rounded())) m)"))
            }
        }
    }

    static func squareMetres(_ area: Double) -> String {
        area >= 10_000 ? String(format: "%.2f ha", area / 10_000) : String(format: "%.0f m²", area)
    }
}
