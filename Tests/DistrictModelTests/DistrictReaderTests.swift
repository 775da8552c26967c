import Foundation
import Testing
import TestSupport
@testable import DistrictModel
import FeatureIO
import GeometryEngine
import Projections

@Suite(.timeLimit(.minutes(10))) struct DistrictReaderTests {
    @Test func readsAGeoJSONFolder() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url)
        let result = try DistrictReader.read(directory.path)
        #expect(result.district.epsg == 4326)
        #expect(result.district.communities.map(\.code) == ["310101002001", "310101002002"])
        #expect(result.district.buildings.count == 8)
        #expect(result.district.households == 40 + 41 + 42 + 43 + 4 * 30)
        #expect(result.findings.isEmpty)
    }

    @Test func geoPackageRoundTripKeepsEveryField() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        fixture.addPolygon("compounds", ["id": "c1", "name": "花园小区"], rings: [DistrictFixture.rectangle(121.4705, 31.2305, 121.476, 31.2315)])
        fixture.addPolygon("dedicated", ["id": "s1", "name": "School", "kind": "school"], rings: [DistrictFixture.rectangle(121.485, 31.236, 121.487, 31.238)])
        fixture.add("roads", properties: ["id": 7, "class": "arterial", "name": "Main"],
                    geometry: ["type": "LineString", "coordinates": [[121.47, 31.235], [121.49, 31.235]]])
        fixture.add("shops", properties: ["id": "p1", "category": "pharmacy"], geometry: ["type": "Point", "coordinates": [121.475, 31.2305]])
        try fixture.write(to: directory.url("in"))
        let read = try DistrictReader.read(directory.path("in")).district
        try DistrictWriter.write(read, to: directory.path("district.gpkg"))
        let again = try DistrictReader.read(directory.path("district.gpkg")).district
        #expect(again.epsg == 4326)
        #expect(again.communities == read.communities)
        #expect(again.buildings == read.buildings)
        #expect(again.roads == read.roads)
        #expect(again.roads.first?.roadClass == .arterial)
        #expect(again.shops == read.shops)
        #expect(again.dedicated.first?.kind == .school)
        #expect(again.compounds.first?.name == "花园小区")
    }

    /// Grade separation as OpenStreetMap exports write it (`T`/`F` from Geofabrik, `yes`/`no`,
    /// integers, OSM kinds such as `viaduct`), read into `tunnel`, `bridge` and `layer`, and
    /// kept through a GeoPackage written by the engine.
    @Test func gradeSeparationIsReadAndKept() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        let line: [String: Any] = ["type": "LineString", "coordinates": [[121.47, 31.235], [121.49, 31.235]]]
        fixture.add("roads", properties: ["id": "street", "class": "secondary", "tunnel": "F", "bridge": "F", "layer": 0], geometry: line)
        fixture.add("roads", properties: ["id": "tunnel", "class": "primary", "tunnel": "T", "bridge": "F", "layer": -1], geometry: line)
        fixture.add("roads", properties: ["id": "viaduct", "class": "motorway", "bridge": "viaduct", "layer": "3"], geometry: line)
        fixture.add("roads", properties: ["id": "yes", "class": "footway", "bridge": 1], geometry: line)
        fixture.add("roads", properties: ["id": "no", "class": "residential", "tunnel": "no"], geometry: line)
        try fixture.write(to: directory.url("in"))
        let read = try DistrictReader.read(directory.path("in")).district
        let roads = Dictionary(uniqueKeysWithValues: read.roads.map { ($0.id, $0) })
        /// "tunnel bridge layer cuts" of road `id`.
        func grade(_ id: String) -> String? { roads[id].map { "\($0.tunnel) \($0.bridge) \($0.layer) \($0.cutsBlocks)" } }
        #expect(grade("street") == "false false 0 true")
        #expect(grade("tunnel") == "true false -1 false")
        #expect(grade("viaduct") == "false true 3 false")
        #expect(grade("yes") == "false true 0 false")
        #expect(grade("no") == "false false 0 true")
        try DistrictWriter.write(read, to: directory.path("district.gpkg"))
        #expect(try DistrictReader.read(directory.path("district.gpkg")).district.roads == read.roads)
    }

    /// One bad input of `data.md`: what to break, and where the error must point.
    struct BadInput: CustomTestStringConvertible, Sendable {
        let name: String
        let kind: DistrictError.Kind
        let layer: String?
        let feature: String?
        let field: String?
        let breakIt: @Sendable (inout DistrictFixture) -> Void
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "negative households", kind: .invalidValue, layer: "buildings", feature: "w2", field: "households") {
            $0.layers["buildings"]![2]["properties"] = ["id": "w2", "households": -3]
        },
        BadInput(name: "fractional households", kind: .invalidValue, layer: "buildings", feature: "e1", field: "households") {
            $0.layers["buildings"]![3]["properties"] = ["id": "e1", "households": 2.5]
        },
        BadInput(name: "text households", kind: .invalidValue, layer: "buildings", feature: "w0", field: "households") {
            $0.layers["buildings"]![0]["properties"] = ["id": "w0", "households": "many"]
        },
        BadInput(name: "no households field", kind: .missingField, layer: "buildings", feature: nil, field: "households") {
            for i in $0.layers["buildings"]!.indices { $0.layers["buildings"]![i]["properties"] = ["id": "b\(i)"] }
        },
        BadInput(name: "one building without households", kind: .missingValue, layer: "buildings", feature: "e0", field: "households") {
            $0.layers["buildings"]![1]["properties"] = ["id": "e0"]
        },
        BadInput(name: "duplicate building id", kind: .duplicateID, layer: "buildings", feature: "w0", field: "id") {
            $0.layers["buildings"]![1]["properties"] = ["id": "w0", "households": 1]
        },
        BadInput(name: "duplicate community code", kind: .duplicateID, layer: "communities", feature: "310101002001", field: "code") {
            $0.layers["communities"]![1]["properties"] = ["code": "310101002001"]
        },
        BadInput(name: "short community code", kind: .invalidValue, layer: "communities", feature: "3101", field: "code") {
            $0.layers["communities"]![0]["properties"] = ["code": "3101"]
        },
        BadInput(name: "unknown community kind", kind: .invalidValue, layer: "communities", feature: "310101002002", field: "kind") {
            $0.layers["communities"]![1]["properties"] = ["code": "310101002002", "kind": "suburban"]
        },
        BadInput(name: "building without id", kind: .missingValue, layer: "buildings", feature: "row 4", field: "id") {
            $0.layers["buildings"]![3]["properties"] = ["households": 3]
        },
        BadInput(name: "point in buildings", kind: .invalidGeometry, layer: "buildings", feature: "w1", field: nil) {
            $0.layers["buildings"]![2]["geometry"] = ["type": "Point", "coordinates": [121.475, 31.235]]
        },
        BadInput(name: "community without geometry", kind: .invalidGeometry, layer: "communities", feature: "310101002001", field: nil) {
            $0.layers["communities"]![0]["geometry"] = NSNull()
        },
        BadInput(name: "no buildings layer", kind: .missingLayer, layer: "buildings", feature: nil, field: nil) {
            $0.layers["buildings"] = nil
        },
    ]

    @Test(arguments: badInputs)
    func badInputStopsWithAnErrorThatPointsAtIt(_ bad: BadInput) throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        bad.breakIt(&fixture)
        try fixture.write(to: directory.url)
        #expect {
            try DistrictReader.read(directory.path)
        } throws: { error in
            guard let error = error as? DistrictError else { return false }
            return error.kind == bad.kind && error.layer == bad.layer && error.featureID == bad.feature && error.field == bad.field
                && error.file.hasPrefix(directory.path)
        }
    }

    @Test func missingFileIsNamed() {
        #expect {
            try DistrictReader.read("/nonexistent/district.gpkg")
        } throws: { ($0 as? DistrictError).map { $0.kind == .missingFile && $0.file == "/nonexistent/district.gpkg" } ?? false }
    }

    @Test func aFileThatIsNotAGeoPackageIsUnreadable() throws {
        let directory = try TemporaryDirectory()
        try Data("not a database".utf8).write(to: directory.url("district.gpkg"))
        #expect {
            try DistrictReader.read(directory.path("district.gpkg"))
        } throws: { ($0 as? DistrictError)?.kind == .unreadable }
    }

    @Test func aCRSThatPROJDoesNotKnowStopsTheRun() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url("in"))
        var layers = try DistrictWriter.layers(of: DistrictReader.read(directory.path("in")).district)
        let unknown = SpatialReference.epsg(990_001, name: "nowhere", definition: "undefined")
        for i in layers.indices { layers[i].srs = unknown }
        try GeoPackageWriter.write(layers, to: directory.path("bad.gpkg"))
        #expect {
            try DistrictReader.read(directory.path("bad.gpkg"))
        } throws: { ($0 as? DistrictError).map { $0.kind == .unknownCRS && $0.layer == "communities" } ?? false }
    }

    /// A GeoPackage can hold NaN where GeoJSON cannot: a corner that is no number stops the run
    /// naming the feature, instead of make-valid dropping it quietly.
    @Test func aCoordinateThatIsNotANumberStopsTheRun() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url("in"))
        let layers = try DistrictWriter.layers(of: DistrictReader.read(directory.path("in")).district)
        let b = try #require(layers.firstIndex { $0.name == "buildings" })
        let geometry = try #require(layers[b].features[1].geometry)
        let id = layers[b].features[1]["id"]
        let path = directory.path("bad.gpkg")
        try GeoPackageWriter.write(layers, to: path)
        let srs = try #require(layers[b].srs?.epsgCode)
        try putNaNCoordinate(into: path, layer: "buildings", offset: 1, geometry: geometry, srsID: Int(srs))
        #expect {
            try DistrictReader.read(directory.path("bad.gpkg"))
        } throws: { error in
            guard let error = error as? DistrictError, case .text(let expected) = id else { return false }
            return error.kind == .invalidGeometry && error.layer == "buildings" && error.featureID == expected
        }
    }

    @Test func messIsRepairedAndReported() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        // A bow-tie footprint and an open ring.
        fixture.addPolygon("buildings", ["id": "bowtie", "households": 10],
                           rings: [[[121.472, 31.236], [121.473, 31.237], [121.473, 31.236], [121.472, 31.237], [121.472, 31.236]]])
        fixture.addPolygon("buildings", ["id": "open", "households": 10],
                           rings: [[[121.474, 31.236], [121.475, 31.236], [121.475, 31.237], [121.474, 31.237]]])
        fixture.add("buildings", properties: ["id": "empty", "households": 0], geometry: nil)
        fixture.add("roads", properties: ["id": "r1", "class": "motorway"], geometry: ["type": "LineString", "coordinates": [[121.47, 31.235], [121.49, 31.235]]])
        fixture.add("roads", properties: ["id": "r2", "class": "boulevard"], geometry: ["type": "LineString", "coordinates": [[121.47, 31.236], [121.49, 31.236]]])
        try fixture.write(to: directory.url)
        let result = try DistrictReader.read(directory.path)
        func finding(_ id: String) -> DistrictFinding? { result.findings.first { $0.featureID == id } }
        #expect(finding("bowtie")?.kind == .repairedGeometry)
        #expect(finding("open")?.kind == .repairedGeometry)
        #expect(finding("empty")?.kind == .droppedFeature)
        #expect(finding("r2")?.kind == .unknownValue)
        #expect(finding("r1") == nil)
        let buildings = Dictionary(uniqueKeysWithValues: result.district.buildings.map { ($0.id, $0) })
        #expect(try buildings["bowtie"]!.geometry.isValid())
        #expect(buildings["open"]!.geometry.polygons.first?.exterior.count == 5)
        #expect(buildings["empty"] == nil)
        #expect(result.district.roads.first { $0.id == "r1" }?.roadClass == .arterial) // OSM highway values map
        #expect(result.district.roads.first { $0.id == "r2" }?.roadClass == nil)
    }

    @Test func gcj02InputIsConvertedToWGS84() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url)
        let plain = try DistrictReader.read(directory.path).district
        let shifted = try DistrictReader.read(directory.path, options: DistrictReadOptions(datum: .gcj02)).district
        let original = plain.communities[0].geometry.coordinates[0]
        let converted = shifted.communities[0].geometry.coordinates[0]
        #expect(converted == Datum.gcj02.toWGS84(original))
        // The shift in Shanghai is several hundred metres: a real change, not a rounding.
        #expect(abs(converted.x - original.x) > 0.003)
    }

    @Test func gcj02OnProjectedDataIsRefused() throws {
        let directory = try TemporaryDirectory()
        try DistrictFixture.twoCommunities().write(to: directory.url("in"))
        let projected = try DistrictReader.read(directory.path("in")).district.projected(to: 4549)
        try DistrictWriter.write(projected, to: directory.path("metric.gpkg"))
        #expect(try DistrictReader.read(directory.path("metric.gpkg")).district.epsg == 4549)
        #expect {
            try DistrictReader.read(directory.path("metric.gpkg"), options: DistrictReadOptions(datum: .gcj02))
        } throws: { ($0 as? DistrictError).map { $0.kind == .invalidValue && $0.field == "--datum" } ?? false }
    }
}
