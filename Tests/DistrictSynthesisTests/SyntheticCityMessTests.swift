import DistrictModel
import GeometryEngine
import Testing
import DistrictSynthesis

@Suite(.timeLimit(.minutes(10))) struct SyntheticCityMessTests {
    @Test func everyKindOfFaultIsInjected() {
        let mess = smallCity.mess
        #expect(mess.straddlingBuildingIDs.count == 1)
        #expect(mess.invalidBuildingIDs.count == 1)
        #expect(mess.holedCommunityCodes.count == 1)
        #expect(mess.multipartCommunityCodes.count == 1)
        #expect(mess.outsideBuildingIDs.count == 1)
        // A few of each in a large district.
        let large = SyntheticCity.generateWithReport(.init(seed: 2, households: 1_000_000)).mess
        for ids in [large.straddlingBuildingIDs, large.invalidBuildingIDs, large.holedCommunityCodes,
                    large.multipartCommunityCodes, large.outsideBuildingIDs] {
            #expect((3...5).contains(ids.count))
        }
    }

    @Test func invalidFootprintsAreInvalid() throws {
        let buildings = smallCity.district.buildings
        for id in smallCity.mess.invalidBuildingIDs {
            let building = try #require(buildings.first { $0.id == id })
            #expect(try !building.geometry.isValid())
            #expect(try building.geometry.validityReason().contains("Self-intersection"))
        }
    }

    @Test func straddlingBuildingsLieMostlyInOneOfTwoCommunities() throws {
        let district = smallCity.district
        for id in smallCity.mess.straddlingBuildingIDs {
            let building = try #require(district.buildings.first { $0.id == id })
            let total = try building.geometry.area()
            let shares = try district.communities.map { try building.geometry.intersection($0.geometry).area() / total }.filter { $0 > 0 }
            #expect(shares.count == 2)
            #expect(abs((shares.max() ?? 0) - 2.0 / 3.0) < 1e-3)
            #expect(abs(shares.reduce(0, +) - 1) < 1e-6)
        }
    }

    @Test func outsideBuildingsTouchNoCommunity() throws {
        let district = smallCity.district
        for id in smallCity.mess.outsideBuildingIDs {
            let building = try #require(district.buildings.first { $0.id == id })
            #expect(building.households > 0)
            #expect(try district.communities.allSatisfy { try !$0.geometry.intersects(building.geometry) })
        }
    }

    @Test func holedCommunitiesHaveAnEmptyHole() throws {
        let district = smallCity.district
        for code in smallCity.mess.holedCommunityCodes {
            let community = try #require(district.communities.first { $0.code == code })
            let holes = community.geometry.polygons.flatMap { $0.holes }
            #expect(holes.count == 1)
            for hole in holes {
                let lake = Geometry.polygon(Polygon(exterior: hole))
                #expect(try lake.area() > 1_000)
                for building in district.buildings {
                    #expect(try !lake.intersects(building.geometry.repaired()), "building \(building.id) stands in the lake")
                }
                #expect(try district.communities.allSatisfy { try $0.geometry.intersection(lake).area() == 0 })
            }
        }
        // No other community has a hole.
        let others = district.communities.filter { !smallCity.mess.holedCommunityCodes.contains($0.code) }
        #expect(others.allSatisfy { $0.geometry.polygons.allSatisfy { $0.holes.isEmpty } })
    }

    @Test func multipartCommunitiesAreTwoSeparatePieces() throws {
        let district = smallCity.district
        for code in smallCity.mess.multipartCommunityCodes {
            let community = try #require(district.communities.first { $0.code == code })
            guard case .multiPolygon(let pieces) = community.geometry else {
                Issue.record("community \(code) is not a MultiPolygon")
                continue
            }
            #expect(pieces.count == 2)
            #expect(try Geometry.polygon(pieces[0]).distance(to: .polygon(pieces[1])) > 200)
        }
        let others = district.communities.filter { !smallCity.mess.multipartCommunityCodes.contains($0.code) }
        #expect(others.allSatisfy { $0.geometry.polygons.count == 1 })
    }

    @Test func aCleanCityHasNoFaults() throws {
        let district = cleanCity.district
        #expect(cleanCity.mess.isEmpty)
        #expect(district.communities.allSatisfy { $0.geometry.polygons.count == 1 && $0.geometry.polygons[0].holes.isEmpty })
        #expect(try homeCommunities(of: district).allSatisfy { $0 != nil })
    }

    @Test func theDistrictSurveyFindsTheStraddlersAndTheOutsiders() throws {
        var district = smallCity.district
        for index in district.buildings.indices { district.buildings[index].geometry = try district.buildings[index].geometry.repaired() }
        let survey = try DistrictSurvey(district)
        let findings = survey.findings.filter { $0.layer == .buildings }
        #expect(Set(findings.filter { $0.kind == .straddlesCommunities }.map(\.featureID)) == Set(smallCity.mess.straddlingBuildingIDs))
        #expect(Set(findings.filter { $0.kind == .outsideCommunities }.map(\.featureID)) == Set(smallCity.mess.outsideBuildingIDs))
        #expect(!survey.findings.contains { $0.kind == .overlappingCommunities })
        #expect(!survey.findings.contains { $0.layer != .buildings })
    }
}
