import Benchmark
import DistrictModel
import DistrictSynthesis
import Foundation
import GeometryEngine
import Partitioning

/// A generated district as its own communities, and the same buildings, roads and shops with
/// the communities merged into one (the first one's code and name): the partition's cost per
/// building should not depend on how the buildings are grouped into communities.
func districts(households: Int, seed: UInt64) throws -> (separate: District, merged: District) {
    let separate = SyntheticCity.generate(SyntheticCity.Options(seed: seed, households: households))
    var merged = separate
    let urban = separate.communities.filter { $0.kind == .urban }
    guard let first = urban.first else { return (separate, separate) }
    var outline = first.geometry
    for community in urban.dropFirst() { outline = try outline.union(community.geometry) }
    merged.communities = [Community(code: first.code, name: first.name, streetCode: first.streetCode, geometry: outline)]
        + separate.communities.filter { $0.kind != .urban }
    return (separate, merged)
}

let benchmarks: @Sendable () -> Void = {
    // Each stage's seconds as a metric of its own (per-community stages summed over the
    // communities), so that a regression in one stage shows as a number, not only in the total.
    let stages = PartitionStage.allCases.map { (stage: $0, metric: BenchmarkMetric.custom("\($0.rawValue) (ms)", polarity: .prefersSmaller)) }
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident] + stages.map(\.metric),
                                           maxDuration: .seconds(20), maxIterations: 5)

    guard let district = try? districts(households: 40_000, seed: 3) else { return }
    // One thread: the same work whichever way the communities are grouped.
    let options = { () -> PartitionOptions in
        var options = PartitionOptions()
        options.threads = 1
        return options
    }()
    for (name, input) in [("as its communities", district.separate), ("as one community", district.merged)] {
        let buildings = input.buildings.count
        Benchmark("Partition, \(buildings) buildings \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                let partition = try Partitioner.partition(input, options: options)
                for (stage, metric) in stages {
                    benchmark.measurement(metric, Int(((partition.timings.seconds[stage] ?? 0) * 1_000).rounded()))
                }
                blackHole(partition)
            }
        }
    }
}
