import CoverageReport
import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation
import GeometryEngine
import Partitioning
import Testing
import TestSupport

/// A generated district, partitioned in process and written: the clean input that each test
/// copies and breaks in one known way.
struct Fixture: Sendable {
    let directory: TemporaryDirectory
    let districtPath: String
    let district: District
    /// The partition's layers, in the district's CRS (EPSG:4549, metres).
    let layers: [Layer]
    /// Grids and micro-grids the partitioner itself reports outside their household bounds.
    let outOfBounds: Set<String>
    /// The findings on the clean partition: exactly those household counts (see `CleanPartitionTests`).
    let baseline: [CoverageFinding]

    static let shared = Result { () throws -> Fixture in
        let district = SyntheticCity.generate(SyntheticCity.Options(seed: 1, households: 3_000, includeMess: false, ruralVillages: 0))
        let partition = try Partitioner.partition(district)
        let directory = try TemporaryDirectory()
        let districtPath = directory.path("district.gpkg")
        try DistrictWriter.write(district, to: districtPath)
        let outOfBounds = Set(partition.findings.filter { $0.kind == .gridOutOfBounds || $0.kind == .microGridOutOfBounds }.map(\.featureID))
        var fixture = Fixture(directory: directory, districtPath: districtPath, district: district, layers: try partition.layers(),
                              outOfBounds: outOfBounds, baseline: [])
        fixture = Fixture(directory: directory, districtPath: districtPath, district: district, layers: fixture.layers,
                          outOfBounds: outOfBounds, baseline: try fixture.check(fixture.layers).findings)
        return fixture
    }

    static func get() throws -> Fixture { try shared.get() }

    func layer(_ name: String) throws -> Layer {
        try #require(layers.first { $0.name == name }, "the partition has no \(name) layer")
    }

    /// Writes `layers` to a fresh directory and runs the check on them.
    func check(_ layers: [Layer], district: Bool = true, events: String? = nil) throws -> CoverageResult {
        let directory = try TemporaryDirectory()
        let path = directory.path("grids.gpkg")
        try GeoPackageWriter.write(layers, to: path)
        var eventsPath: String?
        if let events {
            eventsPath = directory.path("events.csv")
            try events.write(toFile: directory.path("events.csv"), atomically: true, encoding: .utf8)
        }
        return try CoverageCheck.run(gridsPath: path, options: CoverageOptions(districtPath: district ? districtPath : nil,
                                                                               eventsPath: eventsPath))
    }
}

/// The kinds of the findings as a sorted list, for comparing multisets.
func kinds(_ result: CoverageResult) -> [String] {
    result.findings.map(\.kind.rawValue).sorted()
}

/// The findings of `result` that the clean partition does not have (the same kind and subject):
/// what a defect added.
func added(_ result: CoverageResult, to fixture: Fixture) -> [CoverageFinding] {
    let before = Set(fixture.baseline.map { "\($0.kind.rawValue) \($0.subject)" })
    return result.findings.filter { !before.contains("\($0.kind.rawValue) \($0.subject)") }
}

/// The kinds of the findings a defect added, sorted.
func addedKinds(_ result: CoverageResult, to fixture: Fixture) -> [String] {
    added(result, to: fixture).map(\.kind.rawValue).sorted()
}

/// Replaces the features of layer `name` in `layers`.
func replacing(_ name: String, in layers: [Layer], _ change: (inout [Feature]) throws -> Void) rethrows -> [Layer] {
    var copy = layers
    for i in copy.indices where copy[i].name == name {
        try change(&copy[i].features)
    }
    return copy
}

extension Feature {
    var text: (String) -> String { { self[$0].string ?? "" } }
}

/// Whether `geometry` and `place` are within `tolerance` metres of each other.
func isNear(_ geometry: Geometry?, _ place: Geometry, tolerance: Double = 1) throws -> Bool {
    guard let geometry else { return false }
    return try geometry.distance(to: place) <= tolerance
}
