#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DistrictModel
import GeometryEngine
import Testing
import DistrictSynthesis

@Suite(.timeLimit(.minutes(10))) struct SyntheticCityTests {
    @Test func sameOptionsGiveTheSameDistrictBitForBit() {
        let again = SyntheticCity.generateWithReport(.init(seed: 7, households: 20_000))
        let first = smallCity.district, second = again.district
        #expect(first.epsg == second.epsg)
        #expect(first.communities == second.communities)
        #expect(first.buildings == second.buildings)
        #expect(first.roads == second.roads)
        #expect(first.shops == second.shops)
        #expect(first.dedicated == second.dedicated)
        #expect(first.compounds == second.compounds)
        #expect(smallCity.mess == again.mess)
    }

    @Test func differentSeedsGiveDifferentDistricts() {
        let other = SyntheticCity.generate(.init(seed: 8, households: 20_000))
        #expect(other.buildings.map(\.geometry) != smallCity.district.buildings.map(\.geometry))
        #expect(other.communities.map(\.geometry) != smallCity.district.communities.map(\.geometry))
    }

    @Test(arguments: [(20_000, 1), (20_000, 2), (200_000, 3)] as [(Int, UInt64)])
    func householdsAreWithinFivePercentOfTheTarget(target: Int, seed: UInt64) {
        let households = SyntheticCity.generate(.init(seed: seed, households: target)).households
        #expect(abs(households - target) <= target / 20, "\(households) households for a target of \(target)")
    }

    @Test func urbanCommunitiesHoldBetween1500And5000Households() throws {
        for output in [smallCity, mediumCity] {
            let district = output.district
            let households = try householdsByCommunity(district)
            for (community, count) in zip(district.communities, households) where community.kind == .urban {
                #expect((1_500...5_000).contains(count), "community \(community.code) holds \(count) households")
            }
        }
    }

    @Test func ruralVillagesAreRuralAndHoldAFewHundredOneHouseholdHouses() throws {
        let district = mediumCity.district
        let villages = district.communities.indices.filter { district.communities[$0].kind == .rural }
        #expect(villages.count == 3) // 200,000 households: about 67 communities, one village per 20
        let homes = try homeCommunities(of: district)
        for village in villages {
            let houses = district.buildings.indices.filter { homes[$0] == village }.map { district.buildings[$0] }
            #expect(houses.allSatisfy { $0.households == 1 && (2...3).contains($0.floors ?? 0) && $0.isResidential })
            #expect((150...450).contains(houses.count), "village \(district.communities[village].code): \(houses.count) houses")
        }
        // Rural village codes are villagers' committees (200-399), in a town (township 100-199).
        for village in villages {
            let code = district.communities[village].code
            #expect(Int(code.suffix(3)).map { (200...399).contains($0) } == true)
            #expect(Int(code.dropFirst(6).prefix(3)).map { (100...199).contains($0) } == true)
        }
    }

    @Test func villageCountFollowsTheOption() {
        #expect(SyntheticCity.generate(.init(seed: 1, households: 20_000, ruralVillages: 0)).communities.allSatisfy { $0.kind == .urban })
        #expect(SyntheticCity.generate(.init(seed: 1, households: 20_000, ruralVillages: 4)).communities.filter { $0.kind == .rural }.count == 4)
        #expect(SyntheticCity.generate(.init(seed: 1, households: 4_000)).communities.allSatisfy { $0.kind == .urban })
    }

    @Test func idsAreUniqueAndCodesAreStatisticalDivisionCodes() {
        for district in [smallCity.district, mediumCity.district] {
            for ids in [district.buildings.map(\.id), district.roads.map(\.id), district.shops.map(\.id),
                        district.compounds.map(\.id), district.dedicated.map(\.id)] {
                #expect(Set(ids).count == ids.count)
            }
            let codes = district.communities.map(\.code)
            #expect(Set(codes).count == codes.count)
            for community in district.communities {
                #expect(community.code.count == 12 && community.code.allSatisfy(\.isASCII) && community.code.allSatisfy(\.isNumber))
                #expect(community.streetCode?.count == 9)
                #expect(community.code.hasPrefix(community.streetCode ?? "-"))
                #expect(community.name != nil && community.streetName != nil)
            }
        }
    }

    @Test func theUrbanAreaIsCentredOnTheOriginAndTurnedByTheGivenAngle() throws {
        let origin = XY(400_000, 2_500_000)
        let district = SyntheticCity.generate(.init(seed: 3, households: 20_000, epsg: 32650, origin: origin, rotationDegrees: 30,
                                                   includeMess: false, ruralVillages: 0))
        #expect(district.epsg == 32650)
        // Every arterial runs at 30° or 120°.
        for road in district.roads where road.roadClass == .arterial {
            let line = road.geometry.lineStrings[0]
            let angle = atan2(line[line.count - 1].y - line[0].y, line[line.count - 1].x - line[0].x) * 180 / .pi
            let folded = (angle + 360).truncatingRemainder(dividingBy: 90)
            #expect(abs(folded - 30) < 0.01, "arterial \(road.id) at \(angle)°")
        }
        // The arterial grid's corners surround the origin.
        let envelope = try #require(district.envelope)
        #expect(envelope.contains(origin))
    }

    @Test func coordinatesAreRoundedToTheMillimetre() {
        for building in smallCity.district.buildings.prefix(200) {
            for point in building.geometry.coordinates {
                #expect((point.x * 1000).rounded() / 1000 == point.x && (point.y * 1000).rounded() / 1000 == point.y)
            }
        }
    }

    @Test func tinyAndEmptyDistricts() {
        let one = SyntheticCity.generate(.init(seed: 5, households: 2_000, includeMess: false))
        #expect(one.communities.count == 1)
        #expect(abs(one.households - 2_000) <= 100)
        let none = SyntheticCity.generateWithReport(.init(seed: 5, households: 0))
        #expect(none.district.communities.isEmpty && none.district.buildings.isEmpty && none.mess.isEmpty)
    }
}

