import Testing
import TestSupport
@testable import DistrictModel
import GeometryEngine

@Suite(.timeLimit(.minutes(10))) struct DistrictSurveyTests {
    @Test func assignsEveryBuildingToTheCommunityHoldingMostOfIt() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        // Two thirds west of the shared boundary at 121.48, one third east.
        fixture.addPolygon("buildings", ["id": "straddle", "households": 10], rings: [DistrictFixture.rectangle(121.4798, 31.235, 121.4801, 31.2352)])
        // One third west, two thirds east.
        fixture.addPolygon("buildings", ["id": "straddle-east", "households": 10], rings: [DistrictFixture.rectangle(121.4799, 31.237, 121.4802, 31.2372)])
        fixture.addPolygon("buildings", ["id": "outside", "households": 5], rings: [DistrictFixture.rectangle(121.50, 31.235, 121.5005, 31.2352)])
        try fixture.write(to: directory.url)
        let district = try DistrictReader.read(directory.path).district
        let metric = try district.projected(to: district.workingEPSG())
        #expect(metric.epsg == 4549)
        let survey = try DistrictSurvey(metric)
        let byID = Dictionary(uniqueKeysWithValues: zip(district.buildings.map(\.id), survey.buildingCommunity))
        #expect(byID["w0"] == 0)
        #expect(byID["e3"] == 1)
        #expect(byID["straddle"] == 0)
        #expect(byID["straddle-east"] == 1)
        #expect(byID["outside"] == .some(nil))
        let kinds = Dictionary(grouping: survey.findings, by: \.featureID).mapValues { $0.map(\.kind) }
        #expect(kinds["straddle"] == [.straddlesCommunities])
        #expect(kinds["outside"] == [.outsideCommunities])
        #expect(kinds["w0"] == nil)
        // Every household of a building inside the district is counted exactly once.
        let assigned = zip(district.buildings, survey.buildingCommunity).filter { $0.1 != nil }.reduce(0) { $0 + $1.0.households }
        #expect(assigned == district.households - 5)
    }

    @Test func overlappingCommunitiesAreReported() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.layers["communities"]![1]["geometry"] = ["type": "Polygon", "coordinates": [DistrictFixture.rectangle(121.479, 31.23, 121.49, 31.24)]]
        try fixture.write(to: directory.url)
        let district = try DistrictReader.read(directory.path).district
        let survey = try DistrictSurvey(district.projected(to: district.workingEPSG()))
        #expect(survey.findings.map(\.kind) == [.overlappingCommunities])
        #expect(survey.findings.first?.featureID == "310101002001")
    }
}

@Suite(.timeLimit(.minutes(10))) struct HouseholdEstimationTests {
    @Test func followsTheDocumentedRule() throws {
        let rule = HouseholdEstimation()
        let footprint = Geometry.polygon(Polygon(exterior: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)]))
        var building = Building(id: "b", households: 0, geometry: footprint)
        #expect(rule.floors(of: building) == 6)
        #expect(rule.households(of: building, area: 1000) == 50) // 1000 × 6 × 0.75 / 90 = 50
        building.height = 31
        #expect(rule.floors(of: building) == 10)                // 31 / 3 = 10.3
        building.levels = 4
        #expect(rule.floors(of: building) == 4)                 // levels win over height
        building.floors = 12
        #expect(rule.floors(of: building) == 12)                // explicit floors win over both
        #expect(rule.households(of: building, area: 45) == 5)   // 45 × 12 × 0.75 / 90 = 4.5: half rounds up
        building.kind = "commercial"
        #expect(rule.households(of: building, area: 1000) == 0)
    }

    @Test func estimatesOnlyBuildingsWithoutCounts() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.layers["buildings"]![0]["properties"] = ["id": "w0", "levels": 3]
        fixture.layers["buildings"]![1]["properties"] = ["id": "e0", "kind": "commercial"]
        try fixture.write(to: directory.url)
        #expect(throws: DistrictError.self) { try DistrictReader.read(directory.path) }
        let result = try DistrictReader.read(directory.path, options: DistrictReadOptions(householdEstimation: HouseholdEstimation()))
        let byID = Dictionary(uniqueKeysWithValues: result.district.buildings.map { ($0.id, $0) })
        // w0: about 47.6 m × 22.2 m in the working CRS, 3 levels.
        let metric = try result.district.projected(to: 4549)
        let w0Area = try metric.buildings.first { $0.id == "w0" }!.geometry.area()
        #expect(w0Area > 1000 && w0Area < 1100)
        #expect(byID["w0"]!.households == Int((w0Area * 3 * 0.75 / 90 + 0.5).rounded(.down)))
        #expect(byID["e0"]!.households == 0)
        #expect(byID["w1"]!.households == 41) // given counts are kept
        #expect(result.findings.filter { $0.kind == .estimatedHouseholds }.map(\.featureID).sorted() == ["e0", "w0"])
    }
}
