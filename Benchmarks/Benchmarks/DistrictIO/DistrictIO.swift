import Benchmark
import DistrictModel
import DistrictSynthesis
import FeatureIO
import Foundation
import GeometryEngine

/// A synthetic district of about `buildings` buildings, written once to a temporary GeoPackage.
func districtFile(buildings: Int) throws -> (path: String, buildings: Int) {
    // The generator's fabric holds about 60 households per building (slabs, towers, walk-ups).
    let district = SyntheticCity.generate(SyntheticCity.Options(seed: 42, households: buildings * 60))
    let path = NSTemporaryDirectory() + "gridweave-bench-\(buildings).gpkg"
    try DistrictWriter.write(district, to: path)
    return (path, district.buildings.count)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(10), maxIterations: 50)

    // WKB decoding: building footprints of 5 vertices (a closed rectangle) and 41 vertices.
    for vertices in [5, 41] {
        let ring = (0..<vertices - 1).map { i -> XY in
            let angle = Double(i) / Double(vertices - 1) * 2 * .pi
            return XY(500_000 + 20 * cos(angle), 3_500_000 + 10 * sin(angle))
        }
        let blob = WKB.encode(.polygon(Polygon(exterior: ring + [ring[0]])))
        Benchmark("WKB decode, polygon of \(vertices) vertices", configuration: .init(scalingFactor: .kilo)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try WKB.decode(blob))
            }
        }
    }

    // Reading a district of about 20,000 buildings: the GeoPackage layer alone, then the whole
    // district with validation and repair (what `gridweave inspect` and `partition` start with).
    guard let file = try? districtFile(buildings: 20_000) else { return }
    Benchmark("GeoPackage read, buildings layer (\(file.buildings) buildings)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try GeoPackageReader(path: file.path).readLayer("buildings"))
        }
    }
    Benchmark("District read and validate (\(file.buildings) buildings)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try DistrictReader.read(file.path))
        }
    }
    Benchmark("District survey: buildings to communities (\(file.buildings) buildings)") { benchmark in
        let district = try DistrictReader.read(file.path).district
        benchmark.startMeasurement()
        blackHole(try DistrictSurvey(district))
    }
}
