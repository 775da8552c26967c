import Foundation
import GeometryEngine
import Projections

/// Households estimated from a footprint, for planners who only have OpenStreetMap data:
///
///     households = round(area × floors × efficiency / dwellingSize)
///
/// for residential buildings only (others get 0), with the area in square metres in the
/// district's working CRS and `floors` taken from the first of: the building's `floors`, its
/// mapped `levels`, its `height` / `floorHeight` (at least 1), `defaultFloors`. Rounding is half
/// up. `tools/build-sample-districts` applies the same rule to the bundled OSM districts.
public struct HouseholdEstimation: Sendable, Hashable {
    /// Metres per storey, to turn a mapped height into floors.
    public var floorHeight: Double
    /// Floors of a building with neither levels nor height mapped.
    public var defaultFloors: Int
    /// The share of gross floor area that is dwellings (not stairs, walls, corridors).
    public var efficiency: Double
    /// The typical dwelling size in square metres.
    public var dwellingSize: Double

    public init(floorHeight: Double = 3, defaultFloors: Int = 6, efficiency: Double = 0.75, dwellingSize: Double = 90) {
        self.floorHeight = floorHeight
        self.defaultFloors = defaultFloors
        self.efficiency = efficiency
        self.dwellingSize = dwellingSize
    }

    /// The floors the rule uses for `building`.
    public func floors(of building: Building) -> Int {
        if let floors = building.floors, floors > 0 { return floors }
        if let levels = building.levels, levels > 0 { return max(1, Int((levels).rounded(.toNearestOrAwayFromZero))) }
        if let height = building.height, height > 0 { return max(1, Int((height / floorHeight).rounded(.toNearestOrAwayFromZero))) }
        return defaultFloors
    }

    /// The estimate for a footprint of `area` square metres.
    public func households(of building: Building, area: Double) -> Int {
        guard building.isResidential else { return 0 }
        let estimate = area * Double(floors(of: building)) * efficiency / dwellingSize
        return Int((estimate + 0.5).rounded(.down))
    }

    /// Fills in the households of the buildings named in `missing` (all buildings when nil).
    /// - Returns: one finding per building estimated.
    public func apply(to district: inout District, missing: Set<String>? = nil) throws -> [DistrictFinding] {
        let working = try district.workingEPSG()
        let transformer = try CoordinateTransformer(from: district.epsg, to: working)
        var findings: [DistrictFinding] = []
        for index in district.buildings.indices {
            let building = district.buildings[index]
            if let missing, !missing.contains(building.id) { continue }
            let area = try transformer.transform(building.geometry).area()
            let households = households(of: building, area: area)
            district.buildings[index].households = households
            if district.buildings[index].floors == nil, building.isResidential {
                district.buildings[index].floors = floors(of: building)
            }
            findings.append(DistrictFinding(.estimatedHouseholds, layer: .buildings, featureID: building.id,
                                            detail: "\(households) households from \(Int(area.rounded())) m² × \(floors(of: building)) floors"))
        }
        return findings
    }
}

extension District {
    /// The metric CRS in which the engine measures this district: the CGCS2000 3-degree
    /// Gauss-Krüger zone of its centre inside China, the UTM zone elsewhere.
    public func workingEPSG() throws -> Int {
        guard let center = envelope?.center else { return WorkingCRS.epsg(forLongitude: 0, latitude: 0) }
        let lonLat = epsg == 4326 ? center : try CoordinateTransformer(from: epsg, to: 4326).transform(center)
        return WorkingCRS.epsg(forLongitude: lonLat.x, latitude: lonLat.y)
    }

    /// The district with every geometry transformed to `target`.
    public func projected(to target: Int) throws -> District {
        guard target != epsg else { return self }
        let transformer = try CoordinateTransformer(from: epsg, to: target)
        var copy = self
        copy.epsg = target
        for i in copy.communities.indices { copy.communities[i].geometry = try transformer.transform(copy.communities[i].geometry) }
        for i in copy.buildings.indices { copy.buildings[i].geometry = try transformer.transform(copy.buildings[i].geometry) }
        for i in copy.roads.indices { copy.roads[i].geometry = try transformer.transform(copy.roads[i].geometry) }
        for i in copy.shops.indices { copy.shops[i].geometry = try transformer.transform(copy.shops[i].geometry) }
        for i in copy.dedicated.indices { copy.dedicated[i].geometry = try transformer.transform(copy.dedicated[i].geometry) }
        for i in copy.compounds.indices { copy.compounds[i].geometry = try transformer.transform(copy.compounds[i].geometry) }
        for i in copy.barriers.indices { copy.barriers[i].geometry = try transformer.transform(copy.barriers[i].geometry) }
        return copy
    }
}
