#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DistrictModel
import GeometryEngine
import Testing
import DistrictSynthesis

@Suite(.timeLimit(.minutes(10))) struct SyntheticCityGeometryTests {
    @Test(arguments: ["small", "clean", "medium"])
    func communitiesAreValidAndTileWithoutOverlap(city: String) throws {
        let district = (city == "small" ? smallCity : city == "clean" ? cleanCity : mediumCity).district
        let communities = district.communities.map(\.geometry)
        var areaSum = 0.0
        for (i, a) in communities.enumerated() {
            #expect(try a.isValid(), "community \(district.communities[i].code)")
            areaSum += try a.area()
            for b in communities[(i + 1)...] where a.envelope?.overlaps(b.envelope) ?? false {
                #expect(try a.intersection(b).area() < 1e-6)
            }
        }
        // Edge-matched: the union of the communities loses no area to overlaps or slivers.
        let union = try Geometry.multiPolygon(communities.flatMap(\.polygons)).unaryUnion()
        #expect(abs(try union.area() - areaSum) <= 1e-9 * areaSum)
    }

    @Test func neighbouringCommunitiesShareTheirBoundaryExactly() throws {
        // Coverage union only works on polygons whose shared edges have identical vertices.
        let urban = mediumCity.district.communities.filter { $0.kind == .urban }.flatMap(\.geometry.polygons)
        let union = try Geometry.multiPolygon(urban).coverageUnion()
        #expect(try abs(union.area() - urban.reduce(0) { try $0 + Geometry.polygon($1).area() }) < 1e-3)
    }

    @Test(arguments: [true, false])
    func everyOrdinaryBuildingIsAValidFootprintInsideOneCommunity(withMess: Bool) throws {
        let output = withMess ? smallCity : cleanCity
        let district = output.district
        let messy = output.mess.buildingIDs
        #expect(withMess != messy.isEmpty)
        for building in district.buildings where !messy.contains(building.id) {
            #expect(try building.geometry.isValid(), "building \(building.id)")
            let holders = try district.communities.filter { try $0.geometry.covers(building.geometry) }
            #expect(holders.count == 1, "building \(building.id) lies in \(holders.count) communities")
        }
    }

    @Test func buildingsDoNotOverlap() throws {
        let footprints = try smallCity.district.buildings.map { try $0.geometry.repaired() }
        let order = footprints.indices.sorted { (footprints[$0].envelope?.minX ?? 0) < (footprints[$1].envelope?.minX ?? 0) }
        for (k, i) in order.enumerated() {
            guard let a = footprints[i].envelope else { continue }
            for j in order[(k + 1)...] {
                guard let b = footprints[j].envelope, b.minX <= a.maxX else { break }
                if a.intersects(b) {
                    #expect(try footprints[i].intersection(footprints[j]).area() == 0,
                            "\(smallCity.district.buildings[i].id) overlaps \(smallCity.district.buildings[j].id)")
                }
            }
        }
    }

    @Test func compoundsContainTheirBuildingsAndLieInACommunity() throws {
        let district = smallCity.district
        let compounds = Dictionary(uniqueKeysWithValues: district.compounds.map { ($0.id, $0.geometry) })
        let messy = smallCity.mess.buildingIDs
        for building in district.buildings where !messy.contains(building.id) {
            guard let id = building.compound else { continue }
            let compound = try #require(compounds[id])
            #expect(try compound.covers(building.geometry), "compound \(id) does not hold building \(building.id)")
        }
        for compound in district.compounds {
            #expect(try district.communities.contains { try $0.geometry.covers(compound.geometry) }, "compound \(compound.id)")
        }
        #expect(Set(district.buildings.compactMap(\.compound)) == Set(district.compounds.map(\.id)))
    }

    @Test func dedicatedSitesLieInACommunityAndHoldNoHousing() throws {
        let district = mediumCity.district
        #expect(district.dedicated.count >= district.communities.count / 6)
        #expect(Set(district.dedicated.map(\.kind)).isSuperset(of: [.school, .mall, .enterprise, .hospital]))
        let residential = district.buildings.filter(\.isResidential)
        for site in district.dedicated {
            #expect(try district.communities.contains { try $0.geometry.covers(site.geometry) }, "site \(site.id)")
            for building in residential where building.geometry.envelope?.overlaps(site.geometry.envelope) ?? false {
                #expect(try !site.geometry.intersects(building.geometry), "site \(site.id) holds building \(building.id)")
            }
        }
    }

    @Test func shopsStandInsideCommunitiesAndEveryRoadServesOne() throws {
        let district = smallCity.district
        #expect(district.shops.count > 100)
        #expect(district.shops.contains { $0.geometry.dimension == 2 })
        for shop in district.shops {
            #expect(try district.communities.contains { try $0.geometry.covers(shop.geometry) }, "shop \(shop.id)")
        }
        for road in district.roads {
            #expect(road.geometry.lineStrings.count == 1)
            #expect(try district.communities.contains { try $0.geometry.intersects(road.geometry) }, "road \(road.id)")
        }
        let classes = Set(district.roads.compactMap(\.roadClass))
        #expect(classes == [.arterial, .secondary, .branch, .service])
    }

    @Test func housingHasTheBuildingTypesOfAChineseCity() throws {
        let district = mediumCity.district
        let housing = district.buildings.filter(\.isResidential)
        let urban = housing.filter { $0.households > 1 }
        for building in urban {
            let units = try #require(building.units), floors = try #require(building.floors)
            let perFloor = floors >= 25 ? 4 : 2
            #expect(building.households == units * floors * perFloor, "building \(building.id)")
        }
        // Towers: 25-33 floors, 1-2 units; more households than a micro-grid, some more than a grid.
        let towers = urban.filter { ($0.floors ?? 0) >= 25 }
        #expect(towers.count > 20)
        #expect(towers.allSatisfy { (25...33).contains($0.floors ?? 0) && (1...2).contains($0.units ?? 0) && $0.households > 80 })
        #expect(towers.contains { $0.households > 250 })
        // Gated slab compounds of 6-20 slabs (11-18 floors), and courtyards of 2-3 walk-ups.
        let byCompound = Dictionary(grouping: urban.filter { $0.compound != nil }, by: { $0.compound! })
        let slabCompounds = byCompound.values.filter { $0.allSatisfy { (11...18).contains($0.floors ?? 0) } }
        let courtyards = byCompound.values.filter { $0.allSatisfy { (5...6).contains($0.floors ?? 0) } }
        #expect(!slabCompounds.isEmpty && slabCompounds.allSatisfy { (6...20).contains($0.count) })
        #expect(!courtyards.isEmpty && courtyards.allSatisfy { (2...3).contains($0.count) })
        // Old open neighbourhoods: walk-ups with no compound.
        #expect(urban.contains { $0.compound == nil && (5...6).contains($0.floors ?? 0) })
        // Offices, shops and public buildings hold no households.
        #expect(district.buildings.contains { $0.kind == "commercial" } && district.buildings.contains { $0.kind == "public" })
        #expect(district.buildings.filter { !$0.isResidential }.allSatisfy { $0.households == 0 })
    }

    @Test func footprintsAreRectanglesTurnedWithTheStreetGrid() throws {
        let district = cleanCity.district
        let arterial = try #require(district.roads.first { $0.roadClass == .arterial }?.geometry.lineStrings.first)
        let gridAngle = atan2(arterial[1].y - arterial[0].y, arterial[1].x - arterial[0].x)
        for building in district.buildings where building.households != 1 { // village houses are turned a little
            let ring = building.geometry.polygons[0].exterior
            #expect(ring.count == 5)
            let angle = atan2(ring[1].y - ring[0].y, ring[1].x - ring[0].x) - gridAngle
            let folded = (angle * 180 / .pi + 720).truncatingRemainder(dividingBy: 90)
            #expect(min(folded, 90 - folded) < 0.01, "building \(building.id)")
        }
    }
}

