// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that package-benchmark and its dependencies stay
// out of GridWeave's own build. Run: `swift package benchmark` (see docs/performance.md).
let package = Package(
    name: "GridWeaveBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "GridWeave", path: "../"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DistrictIO",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "GeometryEngine", package: "GridWeave"),
                .product(name: "FeatureIO", package: "GridWeave"),
                .product(name: "DistrictModel", package: "GridWeave"),
                .product(name: "DistrictSynthesis", package: "GridWeave"),
            ],
            path: "Benchmarks/DistrictIO",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Lookup",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "GeometryEngine", package: "GridWeave"),
                .product(name: "GridLookup", package: "GridWeave"),
            ],
            path: "Benchmarks/Lookup",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Partition",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "GeometryEngine", package: "GridWeave"),
                .product(name: "DistrictModel", package: "GridWeave"),
                .product(name: "DistrictSynthesis", package: "GridWeave"),
                .product(name: "Partitioning", package: "GridWeave"),
            ],
            path: "Benchmarks/Partition",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
