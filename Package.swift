// swift-tools-version: 6.1
import PackageDescription

// Swift 6 language mode (strict concurrency) everywhere. Warnings are bugs to fix in review,
// not compiler errors, so that a newer toolchain's new warning never breaks a user's build.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "GridWeave",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gridweave", targets: ["GridweaveCLI"]),
        .library(name: "GeometryEngine", targets: ["GeometryEngine"]),
        .library(name: "Projections", targets: ["Projections"]),
        .library(name: "FeatureIO", targets: ["FeatureIO"]),
        .library(name: "DistrictModel", targets: ["DistrictModel"]),
        .library(name: "DistrictSynthesis", targets: ["DistrictSynthesis"]),
        .library(name: "GridSchema", targets: ["GridSchema"]),
        .library(name: "GridLookup", targets: ["GridLookup"]),
        .library(name: "Partitioning", targets: ["Partitioning"]),
        .library(name: "MapRendering", targets: ["MapRendering"]),
        .library(name: "CoverageReport", targets: ["CoverageReport"]),
        .library(name: "IntakeServer", targets: ["IntakeServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Hummingbird's own foundations, named because the server's fast path for single-point
        // lookups is a channel handler in its HTTP/1 pipeline.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries from Debian (see tools/install-deps).
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        // cairo and pango, for maps and sheets (MapRendering only).
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        // Software prefetch for the lookup's batches (static inline around __builtin_prefetch).
        .target(name: "CPrefetch"),

        // Geometry: Sendable value model, WKB/WKT, and a safe layer over the GEOS C API.
        .target(name: "GeometryEngine", dependencies: ["CGEOS"], swiftSettings: swiftSettings),
        // Coordinate reference systems over PROJ; GCJ-02 and BD-09.
        .target(name: "Projections", dependencies: ["CPROJ", "GeometryEngine"], swiftSettings: swiftSettings),
        // GeoPackage (over SQLite) and GeoJSON: generic feature layers in and out; every other
        // vector format an office hands over (Shapefile, MapInfo, DXF, KML, FlatGeobuf...) over GDAL.
        .target(name: "FeatureIO", dependencies: ["CSQLite", "CGDAL", "GeometryEngine"], swiftSettings: swiftSettings),
        // The district of data.md: reading, validating, repairing; the working CRS.
        .target(name: "DistrictModel", dependencies: ["GeometryEngine", "Projections", "FeatureIO"],
                swiftSettings: swiftSettings),
        // Synthetic districts of Chinese urban fabric, deterministic from a seed.
        .target(name: "DistrictSynthesis", dependencies: ["GeometryEngine", "DistrictModel"], swiftSettings: swiftSettings),
        // The partition file's layers and fields, and the community, grid and micro-grid codes:
        // below every module that writes or reads a partition file, so that each asks one owner.
        .target(name: "GridSchema", dependencies: ["FeatureIO"], swiftSettings: swiftSettings),
        // The partition engine: street blocks, building cells, balanced grids and micro-grids, codes.
        .target(name: "Partitioning",
                dependencies: ["GeometryEngine", "Projections", "FeatureIO", "DistrictModel", "GridSchema", "GridLookup"],
                swiftSettings: swiftSettings),
        // Point-in-grid lookup: an exact index over a grids file, one answer on shared boundaries.
        .target(name: "GridLookup", dependencies: ["CPrefetch", "CSQLite", "GeometryEngine", "Projections", "FeatureIO", "GridSchema"],
                swiftSettings: swiftSettings),
        // Maps of grids, micro-grids and the district under them, and grid sheets: PDF, SVG and PNG over cairo and pango.
        .target(name: "MapRendering", dependencies: ["CPangoCairo", "GeometryEngine", "Projections", "FeatureIO", "DistrictModel", "GridSchema"],
                swiftSettings: swiftSettings),
        // Coverage checks of a grids file (gaps, overlaps, slivers, ...) and the planner's report page.
        .target(name: "CoverageReport",
                dependencies: ["GeometryEngine", "Projections", "FeatureIO", "DistrictModel", "GridSchema", "GridLookup", "MapRendering"],
                swiftSettings: swiftSettings),
        // The event-intake HTTP server over a hot-reloadable grid index.
        .target(
            name: "IntakeServer",
            dependencies: [
                "GeometryEngine", "Projections", "FeatureIO", "GridSchema", "GridLookup",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // The office's register (台账) of grids, micro-grids and buildings, as spreadsheet sheets.
        .target(name: "GridRegister",
                dependencies: ["GeometryEngine", "Projections", "FeatureIO", "DistrictModel", "GridSchema", "GridLookup"],
                swiftSettings: swiftSettings),
        // The `gridweave` command.
        .executableTarget(
            name: "GridweaveCLI",
            dependencies: [
                "GeometryEngine", "Projections", "FeatureIO", "DistrictModel", "DistrictSynthesis", "GridSchema", "GridLookup", "Partitioning",
                "MapRendering", "CoverageReport", "IntakeServer", "GridRegister",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Shared test fixtures: temporary directories, running the built binary, districts.
        .target(name: "TestSupport", dependencies: ["CSQLite", "GeometryEngine", "FeatureIO"], path: "Tests/TestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "GeometryEngineTests", dependencies: ["GeometryEngine", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "FeatureIOTests", dependencies: ["FeatureIO", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "DistrictModelTests", dependencies: ["DistrictModel", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "DistrictSynthesisTests", dependencies: ["DistrictSynthesis", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "PartitioningTests", dependencies: ["Partitioning", "DistrictSynthesis", "GridLookup", "Projections", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "GridSchemaTests", dependencies: ["GridSchema", "FeatureIO"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "GridLookupTests", dependencies: ["GridLookup", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "MapRenderingTests", dependencies: ["MapRendering", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CoverageReportTests",
                    dependencies: ["CoverageReport", "Partitioning", "DistrictSynthesis", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "IntakeServerTests", dependencies: ["IntakeServer", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "GridweaveCLITests", dependencies: ["TestSupport", "FeatureIO", "GeometryEngine"],
                    swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
