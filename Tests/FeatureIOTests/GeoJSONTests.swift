import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

@Suite("GeoJSON", .timeLimit(.minutes(10)))
struct GeoJSONTests {
    /// Every geometry type, in one GEOMETRY layer (GeoJSON has no blob, so no blob field).
    static func layer() -> Layer {
        var layer = Fixtures.mixedLayer()
        layer.fields = [FieldDefinition("area", .real), FieldDefinition("code", .text), FieldDefinition("households", .integer)]
        for index in layer.features.indices {
            layer.features[index].fid = nil
            layer.features[index].properties["raw"] = nil
            // `7` in a REAL field is written `7` and reads back an integer: keep reals real.
            if case .integer(let value) = layer.features[index]["area"] { layer.features[index]["area"] = .real(Double(value)) }
        }
        return layer
    }

    /// `layer` as read back: every field present on every feature.
    static func asRead(_ layer: Layer) -> Layer {
        var expected = layer
        for index in expected.features.indices {
            for field in layer.fields { expected.features[index][field.name] = layer.features[index][field.name] }
        }
        return expected
    }

    @Test("write → read gives the layer back, and writing twice gives the same bytes")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mixed.geojson")
        let layer = Self.layer()
        try GeoJSON.write(layer, to: path)
        let read = try GeoJSON.readLayer(path: path, name: "mixed")
        #expect(read.srs == .wgs84)
        #expect(read.geometryType == "GEOMETRY")
        #expect(read.fields == layer.fields, "fields come back in the (sorted) order written")
        #expect(read.features.count == layer.features.count)
        for (got, want) in zip(read.features, Self.asRead(layer).features) {
            #expect(got == want)
        }
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        try GeoJSON.write(read, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
        #expect(try directory.contents() == ["mixed.geojson"])
    }

    @Test("output has sorted keys, shortest exact numbers and escaped text, one feature per line")
    func exactText() throws {
        let layer = Layer(name: "shops", geometryType: "POINT", srs: .wgs84,
                          fields: [FieldDefinition("name", .text), FieldDefinition("id", .text), FieldDefinition("rank", .real)],
                          features: [
                            Feature(geometry: .point(XY(121.47, 0.1 + 0.2)),
                                    properties: ["name": .text("网格 \"A\"\n"), "id": .text("s1"), "rank": .real(1), "extra": .integer(-3)]),
                            Feature(geometry: nil, properties: ["id": .text("s2"), "rank": .real(1e-7)]),
                          ])
        #expect(try GeoJSON.encode(layer) == """
            {"features":[
            {"geometry":{"coordinates":[121.47,0.30000000000000004],"type":"Point"},\
            "properties":{"extra":-3,"id":"s1","name":"网格 \\"A\\"\\n","rank":1.0},"type":"Feature"},
            {"geometry":null,"properties":{"id":"s2","name":null,"rank":1e-07},"type":"Feature"}
            ],"name":"shops","type":"FeatureCollection"}

            """)
    }

    @Test("reading infers fields in first-seen order, keeps integers apart from reals, and takes the feature id")
    func reading() throws {
        let layer = try GeoJSON.decodeLayer("""
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "id": 17, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
               "properties": {"households": 20, "area": 12, "flag": true, "tags": {"b": [1, 2.5], "a": null}, "name": "\\u7f51\\u683c \\ud83c\\udfd8"}},
              {"type": "Feature", "id": "b-2", "geometry": {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]},
               "properties": {"households": null, "area": 1.5, "flag": false, "extra": "x", "name": 3}},
              {"type": "Feature", "geometry": null, "properties": null, "id": 3, "bbox": [0, 0, 1, 1]}
            ]}
            """, name: "buildings")
        #expect(layer.name == "buildings")
        #expect(layer.srs == .wgs84)
        #expect(layer.geometryType == "POLYGON")
        #expect(layer.fields == [
            FieldDefinition("id", .text), FieldDefinition("households", .integer), FieldDefinition("area", .real),
            FieldDefinition("flag", .integer), FieldDefinition("tags", .text), FieldDefinition("name", .text),
            FieldDefinition("extra", .text),
        ])
        let first = layer.features[0]
        #expect(first["id"] == .integer(17))
        #expect(first["households"] == .integer(20))
        #expect(first["area"] == .integer(12))
        #expect(first["flag"] == .integer(1))
        #expect(first["tags"] == .text("{\"b\":[1,2.5],\"a\":null}"))
        #expect(first["name"] == .text("网格 🏘"))
        #expect(first.fid == nil)
        #expect(layer.features[1]["id"] == .text("b-2"))
        #expect(layer.features[1]["households"] == .null)
        #expect(layer.features[1]["flag"] == .integer(0))
        #expect(layer.features[1]["name"] == .integer(3), "values keep their own type; the field is TEXT")
        #expect(layer.features[1].geometry == .polygon(Polygon(exterior: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)])))
        #expect(layer.features[2].geometry == nil)
        #expect(layer.features[2].properties == ["id": .integer(3)])
    }

    @Test("a property named id wins over the feature id")
    func propertyIDWins() throws {
        let layer = try GeoJSON.decodeLayer("""
            {"type": "FeatureCollection", "features": [{"type": "Feature", "id": 1, "geometry": null, "properties": {"id": "b7"}}]}
            """, name: "buildings")
        #expect(layer.features[0]["id"] == .text("b7"))
    }

    @Test("a single Feature reads as a one-feature layer")
    func singleFeature() throws {
        let layer = try GeoJSON.decodeLayer(#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}"#,
                                            name: "x")
        #expect(layer.features.map(\.geometry) == [.point(XY(1, 2))])
    }

    @Test("geometries encode and decode exactly", arguments: Fixtures.typedLayers().flatMap { $0.features.compactMap(\.geometry) })
    func geometryRoundTrip(_ geometry: Geometry) throws {
        #expect(try GeoJSON.decode(geometry: GeoJSON.encode(geometry)) == geometry)
    }

    @Test("a missing file is fileNotFound")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let error = featureIOError { _ = try GeoJSON.readLayer(path: directory.path("buildings.geojson"), name: "buildings") }
        #expect(error?.kind == .fileNotFound)
        #expect(error?.file == directory.path("buildings.geojson"))
        #expect(error?.layer == "buildings")
    }

    static let badJSON: [(String, String)] = [
        ("trailing comma", #"{"type": "FeatureCollection", "features": [],}"#),
        ("unclosed string", #"{"type": "FeatureCollection", "features": [{"type": "Feature}]}"#),
        ("bare word", "{\"type\": FeatureCollection}"),
        ("empty file", ""),
        ("two values", "{} {}"),
        ("leading zero", #"{"a": 01}"#),
    ]

    @Test("invalid JSON is notGeoJSON, with the byte offset", arguments: badJSON)
    func invalidJSON(_ name: String, _ text: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("bad.geojson")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let error = featureIOError { _ = try GeoJSON.readLayer(path: path, name: "bad") }
        #expect(error?.kind == .notGeoJSON)
        #expect(error?.file == path)
        #expect(error?.message.contains("at byte ") == true)
    }

    static let notFeatureCollections = [
        #"[1, 2]"#,
        #"{"type": "Polygon", "coordinates": []}"#,
        #"{"type": "FeatureCollection"}"#,
        #"{"features": []}"#,
    ]

    @Test("JSON that is not a FeatureCollection is notGeoJSON", arguments: notFeatureCollections)
    func notAFeatureCollection(_ text: String) throws {
        let error = featureIOError { _ = try GeoJSON.decodeLayer(text, name: "x") }
        #expect(error?.kind == .notGeoJSON)
        #expect(error?.row == nil)
    }

    static let badFeatures: [(String, String, FeatureIOError.Kind)] = [
        ("a position with one number", #"{"type": "Point", "coordinates": [1]}"#, .invalidGeometry),
        ("a string coordinate", #"{"type": "LineString", "coordinates": [[0, 0], [1, "2"]]}"#, .invalidGeometry),
        ("a ring that is not an array", #"{"type": "Polygon", "coordinates": [5]}"#, .invalidGeometry),
        ("no type", #"{"coordinates": [1, 2]}"#, .invalidGeometry),
        ("an unknown type", #"{"type": "Circle", "coordinates": [1, 2]}"#, .invalidGeometry),
        ("no coordinates", #"{"type": "MultiPolygon"}"#, .invalidGeometry),
        ("a geometry that is a string", #""POINT (1 2)""#, .invalidGeometry),
        ("a collection without geometries", #"{"type": "GeometryCollection"}"#, .invalidGeometry),
    ]

    @Test("a feature with a bad geometry names the file, layer and row", arguments: badFeatures)
    func badFeature(_ name: String, _ geometry: String, _ kind: FeatureIOError.Kind) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("buildings.geojson")
        try Data("""
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}, "properties": {"id": "b0"}},
              {"type": "Feature", "geometry": null, "properties": {"id": "b1"}},
              {"type": "Feature", "id": "b2", "geometry": \(geometry), "properties": {}}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: path))
        let error = featureIOError { _ = try GeoJSON.readLayer(path: path, name: "buildings") }
        #expect(error?.kind == kind)
        #expect(error?.file == path)
        #expect(error?.layer == "buildings")
        #expect(error?.row == 2)
        #expect(error?.featureID == "b2")
    }

    @Test("a feature that is not a Feature object is notGeoJSON with its row")
    func notAFeature() throws {
        let error = featureIOError {
            _ = try GeoJSON.decodeLayer(#"{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}, 42]}"#,
                                        name: "x")
        }
        #expect(error?.kind == .notGeoJSON)
        #expect(error?.row == 1)
    }

    @Test("a value JSON cannot hold stops the write, names the row and field, and writes nothing")
    func unwritableValues() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.geojson")
        let cases: [(FieldValue?, Geometry?, FeatureIOError.Kind, String?)] = [
            (.blob([1, 2]), nil, .invalidValue, "v"),
            (.real(.nan), nil, .invalidValue, "v"),
            (.real(-.infinity), nil, .invalidValue, "v"),
            (nil, .point(XY(.nan, 0)), .invalidGeometry, nil),
        ]
        for (value, geometry, kind, field) in cases {
            let layer = Layer(name: "out", geometryType: "POINT", srs: .wgs84, features: [
                Feature(geometry: .point(XY(0, 0))),
                Feature(geometry: geometry, properties: value.map { ["v": $0] } ?? [:]),
            ])
            let error = featureIOError { try GeoJSON.write(layer, to: path) }
            #expect(error?.kind == kind)
            #expect(error?.file == path)
            #expect(error?.row == 1)
            #expect(error?.field == field)
            #expect(try directory.contents().isEmpty)
        }
    }

    @Test("invalid geometry text is an error, not a trap")
    func decodeGeometryErrors() {
        #expect(featureIOError { _ = try GeoJSON.decode(geometry: "{") }?.kind == .notGeoJSON)
        #expect(featureIOError { _ = try GeoJSON.decode(geometry: #"{"type": "Point", "coordinates": []}"#) }?.kind == .invalidGeometry)
        let deep = String(repeating: "[", count: 100_000)
        #expect(featureIOError { _ = try GeoJSON.decode(geometry: deep) }?.kind == .notGeoJSON)
    }
}
