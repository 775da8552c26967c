import FeatureIO
import Foundation
import GeometryEngine
import TestSupport
import Testing

/// Files we write open in GDAL/OGR unchanged, and files GDAL writes read here (data.md).
@Suite("GDAL interoperability", .enabled(if: gdalInstalled, "needs GDAL's ogrinfo and ogr2ogr"), .timeLimit(.minutes(10)))
struct GDALInteropTests {
    /// The `ogrinfo -so` block of each layer, by layer name.
    static func layerSummaries(_ output: String) -> [String: String] {
        var blocks: [String: String] = [:]
        for block in output.components(separatedBy: "Layer name: ").dropFirst() {
            let name = String(block.prefix { $0 != "\n" })
            blocks[name] = block
        }
        return blocks
    }

    static func expectClean(_ result: (status: Int32, output: String)?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result?.status == 0, "ogrinfo failed: \(result?.output ?? "")", sourceLocation: sourceLocation)
        let complaints = (result?.output ?? "").split(separator: "\n").filter { $0.contains("ERROR") || $0.contains("Warning") }
        #expect(complaints.isEmpty, "\(complaints)", sourceLocation: sourceLocation)
    }

    @Test("ogrinfo sees each layer's geometry type, feature count and CRS, without complaint")
    func ogrinfoSummary() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("district.gpkg")
        let layers = Fixtures.typedLayers() + [Fixtures.mixedLayer(), Fixtures.assignments()]
        try GeoPackageWriter.write(layers, to: path)

        let result = ogrinfo(["-al", "-so", path])
        Self.expectClean(result)
        let summaries = Self.layerSummaries(result?.output ?? "")
        let gdalTypes = [
            "points": "Point", "lines": "Line String", "polygons": "Polygon", "multipoints": "Multi Point",
            "multilines": "Multi Line String", "multipolygons": "Multi Polygon", "collections": "Geometry Collection",
            "mixed": "Unknown (any)", "building_assignments": "None",
        ]
        #expect(Set(summaries.keys) == Set(layers.map(\.name)))
        for layer in layers {
            let summary = summaries[layer.name] ?? ""
            #expect(summary.contains("Geometry: \(gdalTypes[layer.name] ?? "?")\n"), "\(layer.name): \(summary)")
            #expect(summary.contains("Feature Count: \(layer.features.count)\n"), "\(layer.name): \(summary)")
            for field in layer.fields {
                #expect(summary.contains("\n\(field.name): "), "\(layer.name) lacks field \(field.name)")
            }
        }
        #expect(summaries["polygons"]?.contains("ID[\"EPSG\",4547]") == true)
        #expect(summaries["polygons"]?.contains("Extent: (0.000000, 0.000000) - (30.000000, 25.000000)") == true)
        #expect(summaries["mixed"]?.contains("GEOGCRS[\"WGS 84\"") == true)
        #expect(summaries["mixed"]?.contains("ID[\"EPSG\",4326]") == true)
        #expect(summaries["building_assignments"]?.contains("Layer SRS WKT:\n(unknown)") == true)
    }

    @Test("ogrinfo reads every feature of the attribute table")
    func ogrinfoAttributeTable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("assignments.gpkg")
        try GeoPackageWriter.write([Fixtures.assignments()], to: path)
        let result = ogrinfo(["-al", path, "building_assignments"])
        Self.expectClean(result)
        let output = result?.output ?? ""
        #expect(output.contains("Geometry: None"))
        #expect(output.contains("Feature Count: 5"))
        #expect(output.contains("grid_code (String) = 310101002001002"))
        #expect(output.contains("grid_code (String) = (null)"))
    }

    @Test("GDAL finds the R-tree, filters with it, and keeps it up to date through our triggers")
    func spatialIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.gpkg")
        try GeoPackageWriter.write(Fixtures.typedLayers(), to: path)

        let count = ogrinfo(["-ro", path, "-sql", "SELECT COUNT(*) FROM rtree_polygons_geom"])
        Self.expectClean(count)
        #expect(count?.output.contains("COUNT(*) (Integer) = 2") == true)
        // GDAL's ST_MinX and friends read the envelope in each blob's header.
        let envelope = ogrinfo(["-ro", path, "-sql", "SELECT ST_MinX(geom) AS a, ST_MaxX(geom) AS b, ST_MinY(geom) AS c, ST_MaxY(geom) AS d FROM polygons WHERE fid = 2"])
        Self.expectClean(envelope)
        #expect(["a (Real) = 20", "b (Real) = 30", "c (Real) = 20", "d (Real) = 25"].allSatisfy { envelope?.output.contains($0) == true },
                "\(envelope?.output ?? "")")
        let filtered = ogrinfo(["-ro", "-so", "-spat", "19", "19", "31", "26", path, "polygons"])
        Self.expectClean(filtered)
        #expect(filtered?.output.contains("Feature Count: 1\n") == true)

        // GDAL registers ST_MinX and friends, so its inserts fire the triggers we created.
        let extra = directory.path("extra.geojson")
        try GeoJSON.write(Layer(name: "extra", geometryType: "POLYGON", srs: .wgs84, fields: [FieldDefinition("code", .text)],
                                features: [Feature(geometry: .polygon(Polygon(exterior: Fixtures.ring(100, 100, 110, 110))),
                                                   properties: ["code": .text("appended")])]), to: extra)
        let append = ogr2ogr(["-append", "-update", path, extra, "-nln", "polygons"])
        Self.expectClean(append)
        let after = ogrinfo(["-ro", path, "-sql", "SELECT COUNT(*) FROM rtree_polygons_geom WHERE minx >= 100"])
        #expect(after?.output.contains("COUNT(*) (Integer) = 1") == true)
        let appended = try GeoPackageReader(path: path).readLayer("polygons").features.last
        #expect(appended?["code"] == .text("appended"))
        #expect(appended?.geometry == .polygon(Polygon(exterior: Fixtures.ring(100, 100, 110, 110))))
    }

    @Test("a GeoPackage made by ogr2ogr from GeoJSON reads back as the GeoJSON itself")
    func readsGDALGeoPackage() throws {
        let directory = try TemporaryDirectory()
        let buildings = directory.path("buildings.geojson")
        let shops = directory.path("shops.geojson")
        try Data("""
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"id": "b1", "households": 24, "area": 310.25, "name": "1号楼", "gated": true},
               "geometry": {"type": "MultiPolygon", "coordinates": [
                 [[[121.47, 31.23], [121.48, 31.23], [121.48, 31.24], [121.47, 31.24], [121.47, 31.23]],
                  [[121.472, 31.232], [121.474, 31.232], [121.474, 31.234], [121.472, 31.234], [121.472, 31.232]]],
                 [[[121.5, 31.25], [121.51, 31.25], [121.51, 31.26], [121.5, 31.25]]]]}},
              {"type": "Feature", "properties": {"id": "b2", "households": null, "area": 12, "name": null, "gated": false},
               "geometry": {"type": "MultiPolygon", "coordinates": [
                 [[[0.1, 0.2], [0.30000000000000004, 0.2], [0.3, 0.4], [0.1, 0.2]]]]}},
              {"type": "Feature", "properties": {"id": "b3", "households": 7, "area": 1e-3, "name": "", "gated": true},
               "geometry": null}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: buildings))
        try Data("""
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"id": "s1"}, "geometry": {"type": "Point", "coordinates": [121.475, 31.235]}},
              {"type": "Feature", "properties": {"id": "s2"}, "geometry": {"type": "Point", "coordinates": [-180, -90]}}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: shops))
        let path = directory.path("foreign.gpkg")
        Self.expectClean(ogr2ogr(["-f", "GPKG", path, buildings, "-nln", "buildings"]))
        Self.expectClean(ogr2ogr(["-update", path, shops, "-nln", "shops"]))

        let reader = try GeoPackageReader(path: path)
        #expect(reader.layerNames == ["buildings", "shops"])
        for name in reader.layerNames {
            let ours = try GeoJSON.readLayer(path: directory.path("\(name).geojson"), name: name)
            let gdal = try reader.readLayer(name)
            #expect(gdal.geometryType == ours.geometryType)
            #expect(gdal.srs?.epsgCode == 4326)
            #expect(gdal.fields.map(\.name) == ours.fields.map(\.name))
            #expect(gdal.features.map(\.fid) == ours.features.indices.map { Int64($0 + 1) })
            #expect(gdal.features.map(\.geometry) == ours.features.map(\.geometry))
            for (got, want) in zip(gdal.features, ours.features) {
                for field in ours.fields {
                    // GDAL stores REAL fields as reals, our GeoJSON reader keeps `12` an integer.
                    let wanted = field.type == .real ? want[field.name].double.map(FieldValue.real) ?? .null : want[field.name]
                    #expect(got[field.name] == wanted, "\(name).\(field.name)")
                }
            }
        }
    }

    @Test("ogrinfo reads our GeoJSON")
    func ogrinfoGeoJSON() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mixed.geojson")
        var layer = Fixtures.mixedLayer()
        layer.fields.removeAll { $0.type == .blob }
        for index in layer.features.indices {
            layer.features[index].properties["raw"] = nil
            // GDAL warns that INT64_MIN and INT64_MAX may be clamped values, though they are exact.
            if let households = layer.features[index]["households"].int64, households == .min || households == .max {
                layer.features[index]["households"] = .integer(households.signum() * 42)
            }
        }
        try GeoJSON.write(layer, to: path)
        let result = ogrinfo(["-al", "-so", path])
        Self.expectClean(result)
        #expect(result?.output.contains("Feature Count: \(layer.features.count)\n") == true)
        #expect(result?.output.contains("households: Integer") == true)
        #expect(result?.output.contains("area: Real") == true)
    }
}
