import FeatureIO
import GeometryEngine
import Foundation
import Testing
import TestSupport

/// What `gridweave partition` writes, layer by layer and row by row, must not change unless a
/// change means it to: each case below is partitioned by the built binary and the SHA-256 of
/// every layer's rows (see `layerDigests`) compared with the golden value in
/// `Golden/partition/<case>.json`. A commit that changes the partition on purpose records the
/// new values (`GRIDWEAVE_RECORD_GOLDEN=1 swift test --filter GoldenPartitionTests`) and says
/// why in its message.
@Suite(.timeLimit(.minutes(10))) struct GoldenPartitionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// `gridweave generate` arguments for a generated district; nil for a sample of geodata/.
        var generate: [String]?
        var sample: String?
        var options: [String] = []
        /// Re-partition: the district's households are doubled in some buildings, and the
        /// edited district partitioned with `--previous` the first partition (plus `options`).
        var repartition = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "sample-bubenec", sample: "bubenec"),
        Case(name: "sample-helsinki", sample: "helsinki"),
        Case(name: "sample-shanghai", sample: "shanghai"),
        Case(name: "sample-synthetic-20k", sample: "synthetic-20k"),
        Case(name: "generated-seed1-3000-tidy", generate: ["--households", "3000", "--seed", "1", "--no-mess"]),
        Case(name: "generated-seed2-12000", generate: ["--households", "12000", "--seed", "2"]),
        Case(name: "generated-seed3-40000", generate: ["--households", "40000", "--seed", "3"]),
        Case(name: "generated-seed4-8000-small-grids", generate: ["--households", "8000", "--seed", "4"],
             options: ["--grid-min", "100", "--grid-target", "130", "--grid-max", "160", "--micro-min", "30", "--micro-max", "60"]),
        Case(name: "repartition-seed5-5000", generate: ["--households", "5000", "--seed", "5"], repartition: true),
        Case(name: "repartition-seed5-5000-keep-grids", generate: ["--households", "5000", "--seed", "5"],
             options: ["--keep-grids"], repartition: true),
    ]

    static let goldenFolder = repositoryRoot.appendingPathComponent("Tests/GridweaveCLITests/Golden/partition")

    @Test(arguments: cases) func partitionOutputIsByteIdentical(_ golden: Case) throws {
        let directory = try TemporaryDirectory()
        let output = try partitioned(golden, in: directory)
        let digests = try layerDigests(ofGeoPackage: output)
        let file = Self.goldenFolder.appendingPathComponent("\(golden.name).json")
        if ProcessInfo.processInfo.environment["GRIDWEAVE_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try (encoder.encode(digests) + Data("\n".utf8)).write(to: file)
            return
        }
        let expected = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
        #expect(digests.keys.sorted() == expected.keys.sorted(), "layers differ")
        for (layer, digest) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(digests[layer] == digest, "layer \(layer) of \(golden.name) changed")
        }
    }

    /// Runs the case's commands and returns the path of the partition to digest.
    private func partitioned(_ golden: Case, in directory: TemporaryDirectory) throws -> String {
        var district = golden.sample.map { sampleDistrict("\($0).gpkg").path } ?? ""
        if let generate = golden.generate {
            district = directory.path("district.gpkg")
            try run(["generate", "-o", district] + generate)
        }
        let output = directory.path("grids.gpkg")
        guard golden.repartition else {
            try run(["partition", district, "-o", output] + golden.options)
            return output
        }
        let old = directory.path("old.gpkg")
        try run(["partition", district, "-o", old])
        var layers = try GeoPackageReader(path: district).readAll()
        if let b = layers.firstIndex(where: { $0.name == "buildings" }) {
            for i in layers[b].features.indices where i % 9 == 0 {
                layers[b].features[i]["households"] = .integer(2 * (layers[b].features[i]["households"].int64 ?? 0))
            }
        }
        let edited = directory.path("edited.gpkg")
        try GeoPackageWriter.write(layers, to: edited)
        try run(["partition", edited, "--previous", old, "-o", output] + golden.options)
        return output
    }

    private func run(_ arguments: [String]) throws {
        let result = try runGridweave(arguments)
        try #require(result.status == 0, "gridweave \(arguments.joined(separator: " ")): \(result.stderr)")
    }
}

/// The digest itself: a golden test is only as good as its ability to fail.
@Suite(.timeLimit(.minutes(10))) struct LayerDigestTests {
    @Test func sha256MatchesTheStandardVectors() {
        var empty = SHA256()
        #expect(empty.hexDigest() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var abc = SHA256()
        abc.update("abc")
        #expect(abc.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var long = SHA256()
        long.update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        #expect(long.hexDigest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func oneULPInOneCoordinateChangesOnlyItsLayer() throws {
        let directory = try TemporaryDirectory()
        let layers = try GeoPackageReader(path: sampleDistrict("bubenec.gpkg").path).readAll()
        let first = directory.path("a.gpkg"), again = directory.path("b.gpkg"), moved = directory.path("c.gpkg")
        try GeoPackageWriter.write(layers, to: first)
        try GeoPackageWriter.write(layers, to: again)
        var nudged = layers
        let b = try #require(nudged.firstIndex { $0.name == "buildings" })
        var touched = false
        nudged[b].features[0].geometry = nudged[b].features[0].geometry?.mapCoordinates { point in
            defer { touched = true }
            return touched ? point : XY(point.x.nextUp, point.y)
        }
        try GeoPackageWriter.write(nudged, to: moved)
        let a = try layerDigests(ofGeoPackage: first), twice = try layerDigests(ofGeoPackage: again)
        let c = try layerDigests(ofGeoPackage: moved)
        #expect(a == twice, "the same layers written twice must digest the same")
        #expect(a.keys.contains("buildings") && a.count == c.count)
        for layer in a.keys {
            #expect((a[layer] == c[layer]) == (layer != "buildings"), "layer \(layer)")
        }
    }
}
