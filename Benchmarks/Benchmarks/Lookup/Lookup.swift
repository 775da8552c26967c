import Benchmark
import Foundation
import GeometryEngine
import GridLookup

// Point-in-grid lookups on a city-scale synthetic partition (SyntheticPartition: about 14,000 grids
// and 70,000 micro-grids over 36 × 35 km in EPSG:4549). See docs/performance.md, "Point lookup".
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident],
                                           warmupIterations: 2, maxDuration: .seconds(10), maxIterations: 30)
    let city: SyntheticPartition
    let index: GridIndex
    do {
        city = try SyntheticPartition()
        index = try city.index()
    } catch {
        fatalError("cannot build the synthetic city: \(error)")
    }
    let random = city.randomPoints(1_000_000, seed: 1)
    let sorted = SyntheticPartition.sorted(random)

    // The index itself: build time, and its bytes against the bytes of the raw coordinates.
    Benchmark("Build index (14k grids, 70k micro-grids)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident,
                                             .custom("index bytes", useScalingFactor: false),
                                             .custom("index / coordinate bytes (%)", useScalingFactor: false)],
                                   maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try city.index())
        }
        benchmark.measurement(.custom("index bytes", useScalingFactor: false), index.byteCount)
        benchmark.measurement(.custom("index / coordinate bytes (%)", useScalingFactor: false),
                              index.byteCount * 100 / city.coordinateBytes)
    }

    // One million lookups per iteration; with the mega scaling factor the figures are per lookup.
    for (name, points) in [("random", random), ("sorted", sorted)] {
        for concurrently in [false, true] {
            let cores = concurrently ? "all cores" : "1 core"
            Benchmark("Locate 1M \(name) points, \(cores)", configuration: .init(scalingFactor: .mega)) { benchmark in
                var results = [PointLocation](repeating: .outside, count: points.count)
                benchmark.startMeasurement()
                points.withUnsafeBufferPointer { p in
                    results.withUnsafeMutableBufferPointer { r in index.locate(p, into: r, concurrently: concurrently) }
                }
                benchmark.stopMeasurement()
                blackHole(results)
            }
        }
    }
}
