import FeatureIO
import Foundation
import Testing
import TestSupport

/// `gridweave partition --previous OLD.gpkg [--keep-grids]` as a user runs it.
@Suite(.timeLimit(.minutes(10))) struct RepartitionCommandTests {
    /// A generated district, its partition, and the district with the households of some buildings doubled.
    private func prepared(_ directory: TemporaryDirectory) throws -> (district: String, edited: String, old: String) {
        let district = directory.path("city.gpkg")
        let generated = try runGridweave(["generate", "-o", district, "--households", "4000", "--seed", "5"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let old = directory.path("old.gpkg")
        let first = try runGridweave(["partition", district, "-o", old, "--threads", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        var layers = try GeoPackageReader(path: district).readAll()
        if let b = layers.firstIndex(where: { $0.name == "buildings" }) {
            for i in layers[b].features.indices.prefix(40) where i % 4 == 0 {
                layers[b].features[i]["households"] = .integer(2 * (layers[b].features[i]["households"].int64 ?? 0))
            }
        }
        let edited = directory.path("edited.gpkg")
        try GeoPackageWriter.write(layers, to: edited)
        return (district, edited, old)
    }

    @Test func repartitionsKeepingWhatFitsAndReportsTheChanges() throws {
        let directory = try TemporaryDirectory()
        let (_, edited, old) = try prepared(directory)
        let output = directory.path("new.gpkg")
        let result = try runGridweave(["partition", edited, "--previous", old, "-o", output, "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        for part in ["kept", "changed", "new", "retired", "keep their grid code", "grids", "micro-grids"] {
            #expect(result.stdout.contains(part), "\(part) missing from: \(result.stdout)")
        }
        let reader = try GeoPackageReader(path: output)
        for layer in ["grids", "microgrids", "building_assignments", "changes", "moves", "code_history"] {
            #expect(reader.layerNames.contains(layer), "no layer \(layer)")
        }
        let changes = try reader.readLayer("changes").features
        let kinds = Set(changes.compactMap { $0["kind"].string })
        #expect(kinds.isSubset(of: ["kept", "changed", "new", "retired"]))
        #expect(kinds.contains("kept") && kinds.contains("changed"))
        #expect(changes.filter { $0["kind"].string != "retired" }.count == (try reader.readLayer("grids")).features.count)
        if gdalInstalled, let info = ogrinfo(["-so", output, "changes"]) {
            #expect(info.status == 0 && info.output.contains("Feature Count"), "\(info.output)")
        }
    }

    @Test func keepGridsKeepsEveryGrid() throws {
        let directory = try TemporaryDirectory()
        let (_, edited, old) = try prepared(directory)
        let output = directory.path("micro.gpkg")
        let result = try runGridweave(["partition", edited, "--previous", old, "--keep-grids", "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("retired 0") && result.stdout.contains("new 0"), "\(result.stdout)")
        let before = try GeoPackageReader(path: old).readLayer("grids").features
        let after = try GeoPackageReader(path: output).readLayer("grids").features
        #expect(before.map(\.geometry) == after.map(\.geometry))
        #expect(before.map { $0["code"] } == after.map { $0["code"] })
    }

    @Test func aMissingOrBadPreviousFileExitsOneAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory()
        let (district, _, _) = try prepared(directory)
        let output = directory.path("new.gpkg")
        let missing = try runGridweave(["partition", district, "--previous", directory.path("nope.gpkg"), "-o", output])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: "), "\(missing.stderr)")
        #expect(missing.stderr.contains("nope.gpkg"))
        #expect(!FileManager.default.fileExists(atPath: output))

        // The district itself is a GeoPackage, but not a partition: the missing layer is named.
        let notAPartition = try runGridweave(["partition", district, "--previous", district, "-o", output])
        #expect(notAPartition.status == 1)
        #expect(notAPartition.stderr.hasPrefix("error: ") && notAPartition.stderr.contains("grids"), "\(notAPartition.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        let keepAlone = try runGridweave(["partition", district, "--keep-grids", "-o", output])
        #expect(keepAlone.status == 1)
        #expect(keepAlone.stderr.hasPrefix("error: "))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func helpExplainsRepartition() throws {
        let result = try runGridweave(["partition", "--help"])
        #expect(result.status == 0)
        for part in ["--previous", "--keep-grids", "retired", "code_history"] {
            #expect(result.stdout.contains(part), "\(part) missing from help")
        }
    }
}
