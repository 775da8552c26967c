import Foundation
import Testing
import TestSupport
@testable import DistrictModel
import FeatureIO

/// The office's layer and field names (`--layer`, `--map`, `--mapping`) read as ours, in any
/// format: here a GeoJSON folder, so that the mapping is tested apart from GDAL.
@Suite(.timeLimit(.minutes(10))) struct DistrictMappingTests {
    /// The two-community fixture with the office's names: layers 社区 and 楼栋, fields 社区编码,
    /// 楼栋编号 and 户数, and a field `households` that is not the household count.
    static func officeFixture(in directory: TemporaryDirectory) throws -> String {
        let plain = DistrictFixture.twoCommunities()
        var office = DistrictFixture()
        for feature in plain.layers["communities"] ?? [] {
            var properties = feature["properties"] as? [String: Any] ?? [:]
            properties["社区编码"] = properties.removeValue(forKey: "code")
            office.add("社区", properties: properties, geometry: feature["geometry"] as? [String: Any])
        }
        for feature in plain.layers["buildings"] ?? [] {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            office.add("楼栋", properties: ["楼栋编号": properties["id"] ?? "", "户数": properties["households"] ?? 0, "households": "n/a"],
                       geometry: feature["geometry"] as? [String: Any])
        }
        try office.write(to: directory.url("office"))
        return directory.path("office")
    }

    static func mapping(_ entries: [String], layers: [String] = ["communities=社区", "buildings=楼栋"]) throws -> DistrictMapping {
        var mapping = DistrictMapping()
        for entry in layers { try mapping.addLayer(entry) }
        for entry in entries { try mapping.addField(entry) }
        return mapping
    }

    @Test func aMappedDistrictReadsAsTheOriginal() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url("plain"))
        let path = try Self.officeFixture(in: directory)
        let mapping = try Self.mapping(["communities.code=社区编码", "buildings.id=楼栋编号", "households=户数"])
        let read = try DistrictReader.read(path, options: DistrictReadOptions(mapping: mapping))
        let plain = try DistrictReader.read(directory.path("plain"))
        #expect(read.district.communities == plain.district.communities)
        #expect(read.district.buildings == plain.district.buildings)
        #expect(read.layerFiles[.buildings] == directory.path("office/楼栋.geojson"))
    }

    @Test func withoutTheMappingTheLayersAreMissingAndListed() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.officeFixture(in: directory)
        #expect {
            try DistrictReader.read(path)
        } throws: { error in
            guard let error = error as? DistrictError else { return false }
            return error.kind == .missingLayer && error.layer == "communities" && error.message.contains("社区")
        }
    }

    @Test func aFieldMappedThatIsNotThereListsTheFields() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.officeFixture(in: directory)
        let mapping = try Self.mapping(["communities.code=社区编码", "buildings.id=楼栋编号", "buildings.households=户口"])
        #expect {
            try DistrictReader.read(path, options: DistrictReadOptions(mapping: mapping))
        } throws: { error in
            guard let error = error as? DistrictError else { return false }
            return error.kind == .missingField && error.layer == "buildings" && error.field == "户口"
                && error.file == directory.path("office/楼栋.geojson")
                && ["楼栋编号", "户数", "households"].allSatisfy(error.message.contains)
        }
    }

    @Test func aFieldForEveryLayerThatNoLayerHasIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.officeFixture(in: directory)
        let mapping = try Self.mapping(["communities.code=社区编码", "buildings.id=楼栋编号", "households=户数", "floors=层数"])
        #expect {
            try DistrictReader.read(path, options: DistrictReadOptions(mapping: mapping))
        } throws: { error in
            guard let error = error as? DistrictError else { return false }
            return error.kind == .missingField && error.field == "层数" && error.message.contains("户数")
        }
    }

    @Test func aLayerMappedThatIsNotThereListsTheLayers() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.officeFixture(in: directory)
        let mapping = try Self.mapping(["buildings.id=楼栋编号"], layers: ["communities=社区", "buildings=楼房"])
        #expect {
            try DistrictReader.read(path, options: DistrictReadOptions(mapping: mapping))
        } throws: { error in
            guard let error = error as? DistrictError else { return false }
            return error.kind == .missingLayer && error.layer == "buildings" && error.message.contains("楼栋")
        }
    }

    @Test func theMappedFieldReplacesOneOfTheSameName() throws {
        var layer = Layer(name: "楼栋", fields: [FieldDefinition("households", .text), FieldDefinition("户数", .integer)],
                          features: [Feature(geometry: nil, properties: ["households": .text("n/a"), "户数": .integer(7)])])
        let mapping = try Self.mapping(["buildings.households=户数"])
        _ = try mapping.rename(&layer, layer: .buildings, file: "f")
        #expect(layer.fields == [FieldDefinition("households", .integer)])
        #expect(layer.features[0].properties == ["households": .integer(7)])
    }

    @Test func malformedEntriesAreRefused() {
        var mapping = DistrictMapping()
        #expect(throws: DistrictMapping.SyntaxError.self) { try mapping.addField("households") }
        #expect(throws: DistrictMapping.SyntaxError.self) { try mapping.addField("=户数") }
        #expect(throws: DistrictMapping.SyntaxError.self) { try mapping.addField("buildings.=户数") }
        #expect(throws: DistrictMapping.SyntaxError.self) { try mapping.addField("streets.id=编号") }
        #expect(throws: DistrictMapping.SyntaxError.self) { try mapping.addLayer("streets=街道") }
        #expect(mapping.isEmpty)
    }

    @Test func aMappingFileSaysWhatTheFlagsSay() throws {
        let directory = try TemporaryDirectory()
        try Data("""
            {"encoding": "gbk", "layers": {"buildings": "楼栋"}, "fields": {"buildings.households": "户数", "id": "编号"}}
            """.utf8).write(to: directory.url("office.json"))
        let loaded = try DistrictMapping.load(path: directory.path("office.json"))
        var flags = DistrictMapping()
        try flags.addLayer("buildings=楼栋")
        try flags.addField("buildings.households=户数")
        try flags.addField("id=编号")
        flags.encoding = .gbk
        #expect(loaded == flags)

        var override = DistrictMapping()
        try override.addField("buildings.households=住户")
        #expect(loaded.overridden(by: override).fields[.buildings]?["households"] == "住户")

        for bad in ["[]", "{\"layer\": {}}", "{\"fields\": {\"households\": 3}}", "{\"encoding\": \"KLINGON\"}", "{\"fields\": {\"x\": \"\"}}"] {
            try Data(bad.utf8).write(to: directory.url("bad.json"))
            #expect {
                try DistrictMapping.load(path: directory.path("bad.json"))
            } throws: { ($0 as? DistrictError).map { $0.kind == .invalidValue && $0.file == directory.path("bad.json") } ?? false }
        }
    }
}
