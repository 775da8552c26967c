import Foundation
import Testing
import TestSupport
@testable import DistrictModel

/// The bundled OpenStreetMap districts in geodata/: they read without errors, GDAL opens them,
/// and the engine's household estimation gives the counts the build script stored.
@Suite(.timeLimit(.minutes(10))) struct SampleDistrictTests {
    static let osmSamples = ["helsinki.gpkg", "shanghai.gpkg", "bubenec.gpkg"]
    static let samples = osmSamples + ["synthetic-20k.gpkg"]

    @Test(arguments: samples)
    func readsWithoutErrors(_ name: String) throws {
        let result = try DistrictReader.read(sampleDistrict(name).path)
        #expect(!result.district.communities.isEmpty)
        #expect(result.district.households > 0)
        #expect(result.district.communities.allSatisfy { $0.code.count == 12 })
        let metric = try result.district.projected(to: result.district.workingEPSG())
        let survey = try DistrictSurvey(metric)
        #expect(!survey.findings.contains { $0.kind == .overlappingCommunities })
    }

    @Test(.enabled(if: gdalInstalled), arguments: samples)
    func opensInGDAL(_ name: String) throws {
        let info = try #require(ogrinfo(["-al", "-so", sampleDistrict(name).path]))
        #expect(info.status == 0)
        #expect(info.output.contains("Layer name: communities"))
        #expect(info.output.contains("Layer name: buildings"))
        #expect(!info.output.contains("ERROR"))
    }

    /// tools/build-sample-districts implements the rule of `HouseholdEstimation` in Python;
    /// the two must agree building by building, or one of them has drifted from the README.
    @Test(arguments: osmSamples)
    func householdEstimationMatchesTheBuildScript(_ name: String) throws {
        let stored = try DistrictReader.read(sampleDistrict(name).path).district
        var estimated = stored
        for i in estimated.buildings.indices where estimated.buildings[i].isResidential {
            // The script records the floors it used; the estimate must derive the same count from them.
            estimated.buildings[i].households = -1
        }
        _ = try HouseholdEstimation().apply(to: &estimated)
        var differing: [String] = []
        for (a, b) in zip(stored.buildings, estimated.buildings) where a.households != b.households {
            differing.append("\(a.id): stored \(a.households), estimated \(b.households)")
        }
        #expect(differing.isEmpty, "\(differing.prefix(10))")
    }
}
