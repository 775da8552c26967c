import CoverageReport
import FeatureIO
import Foundation
import GeometryEngine
import MapRendering
import Testing
import TestSupport

@Suite(.timeLimit(.minutes(10))) struct CleanPartitionTests {
    /// A partition by our partitioner has no gap, overlap, sliver, disconnected or invalid grid,
    /// its micro-grids tile their grids, and every building and shop is assigned. The only
    /// findings are the household counts the partitioner itself reports out of bounds (every
    /// generated district tried has a few micro-grids outside 50-80 that the data force).
    @Test func aCleanPartitionHasNoFindingsButTheHouseholdCountsThePartitionerReports() throws {
        let fixture = try Fixture.get()
        let result = try fixture.check(fixture.layers)
        let other = result.findings.filter { $0.kind != .householdsOutOfRange }
        #expect(other.isEmpty, "\(other.map { "\($0.kind.rawValue): \($0.detail)" }.joined(separator: "\n"))")
        #expect(Set(result.findings.map(\.subject)) == fixture.outOfBounds)
        #expect(result.statistics.grids == fixture.layers[0].features.count)
        #expect(abs(result.statistics.coveragePercent - 100) < 1e-6)
    }

    /// With bounds that every count of this partition meets, the same partition has no finding at all.
    @Test func aCleanPartitionWithinItsBoundsHasNoFindingsAtAll() throws {
        let fixture = try Fixture.get()
        let micro = try fixture.layer("microgrids").features.compactMap { $0["households"].int64.map(Int.init) }
        let directory = try TemporaryDirectory()
        try GeoPackageWriter.write(fixture.layers, to: directory.path("grids.gpkg"))
        let bounds = HouseholdBounds(gridMin: 150, gridMax: 250, microMin: micro.min() ?? 0, microMax: micro.max() ?? 0)
        let result = try CoverageCheck.run(gridsPath: directory.path("grids.gpkg"),
                                           options: CoverageOptions(districtPath: fixture.districtPath, bounds: bounds))
        #expect(result.findings.isEmpty, "\(result.findings.map(\.detail))")
        #expect(result.notes.allSatisfy { !$0.contains("not checked") }, "\(result.notes)")
    }
}
