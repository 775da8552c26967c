import FeatureIO
import GeometryEngine

/// Layers that exercise every geometry type, every field type, NULLs and awkward text.
enum Fixtures {
    static func ring(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> [XY] {
        [XY(minX, minY), XY(maxX, minY), XY(maxX, maxY), XY(minX, maxY), XY(minX, minY)]
    }

    /// A square with a square hole.
    static func donut(_ x: Double, _ y: Double, size: Double = 10) -> Polygon {
        Polygon(exterior: ring(x, y, x + size, y + size), holes: [ring(x + size / 4, y + size / 4, x + size / 2, y + size / 2)])
    }

    static let fields = [
        FieldDefinition("code", .text),
        FieldDefinition("households", .integer),
        FieldDefinition("area", .real),
        FieldDefinition("raw", .blob),
    ]

    /// Values of every type, the extremes and the awkward ones, cycled over features.
    static let propertySets: [[String: FieldValue]] = [
        ["code": .text("310101002001"), "households": .integer(120), "area": .real(1234.5), "raw": .blob([0, 1, 255])],
        ["code": .text("网格 第1号"), "households": .integer(0), "area": .real(0.1), "raw": .blob([])],
        ["code": .text(""), "households": .integer(.max), "area": .real(-1e-300), "raw": .null],
        ["code": .null, "households": .integer(.min), "area": .real(.greatestFiniteMagnitude)],
        ["code": .text("quote ' \" and\nnew line, tab\t, emoji 🏘️, NUL \u{0} inside"), "households": .null, "area": .integer(7)],
        [:],
    ]

    /// One geometry of each type, as a layer of that type, in a projected CRS.
    static func typedLayers(srs: SpatialReference = cgcs2000Zone38) -> [Layer] {
        let geometries: [(String, [Geometry])] = [
            ("points", [.point(XY(500_000.25, 3_400_000.5)), .point(XY(-1, -2))]),
            ("lines", [.lineString([XY(0, 0), XY(10, 5), XY(20, 0)]), .lineString([])]),
            ("polygons", [.polygon(donut(0, 0)), .polygon(Polygon(exterior: ring(20, 20, 30, 25))), .polygon(Polygon(rings: []))]),
            ("multipoints", [.multiPoint([XY(1, 2), XY(3, 4)])]),
            ("multilines", [.multiLineString([[XY(0, 0), XY(1, 1)], [XY(5, 5), XY(6, 7), XY(8, 5)]])]),
            ("multipolygons", [.multiPolygon([donut(0, 0), donut(100, 100, size: 40), Polygon(exterior: ring(50, 0, 60, 10))])]),
            ("collections", [.geometryCollection([.point(XY(1, 1)), .lineString([XY(0, 0), XY(2, 2)]), .polygon(donut(5, 5))]),
                             .multiPolygon([donut(1, 1)])]),
        ]
        return geometries.map { name, shapes in
            Layer(name: name, geometryType: name == "collections" ? "GEOMETRYCOLLECTION" : shapes[0].typeName, srs: srs,
                  fields: fields,
                  features: shapes.enumerated().map { index, shape in
                      Feature(geometry: shape, properties: propertySets[index % propertySets.count])
                  })
        }
    }

    /// Every geometry type in one `GEOMETRY` layer, with a feature without geometry and given fids.
    static func mixedLayer() -> Layer {
        let shapes = typedLayers().flatMap { $0.features.compactMap(\.geometry) }
        var features = shapes.enumerated().map { index, shape in
            Feature(fid: Int64(index * 10 + 5), geometry: shape, properties: propertySets[index % propertySets.count])
        }
        features.append(Feature(fid: 1000, geometry: nil, properties: ["code": .text("no geometry")]))
        return Layer(name: "mixed", geometryType: "GEOMETRY", srs: .wgs84, fields: fields, features: features)
    }

    /// An attribute table: no geometry type, no CRS.
    static func assignments() -> Layer {
        Layer(name: "building_assignments", fields: [
            FieldDefinition("building_id", .text), FieldDefinition("grid_code", .text), FieldDefinition("households", .integer),
        ], features: (0..<5).map { index in
            Feature(geometry: nil, properties: [
                "building_id": .text("b\(index)"), "grid_code": index == 3 ? .null : .text("310101002001\(String(format: "%03d", index))"),
                "households": .integer(Int64(index * 12)),
            ])
        })
    }

    /// The layer as the reader gives it back: fids assigned in order, every field present.
    static func asRead(_ layer: Layer) -> Layer {
        var expected = layer
        var nextFID: Int64 = 1
        for index in expected.features.indices {
            if let fid = expected.features[index].fid {
                nextFID = max(nextFID, fid + 1)
            } else {
                expected.features[index].fid = nextFID
                nextFID += 1
            }
            for field in layer.fields {
                var value = expected.features[index][field.name]
                // A REAL column stores an integer as a real.
                if field.type == .real, case .integer(let integer) = value { value = .real(Double(integer)) }
                expected.features[index][field.name] = value
            }
        }
        expected.features.sort { $0.fid! < $1.fid! }
        return expected
    }

    /// EPSG:4547 as `gdalsrsinfo -o wkt1` gives it: a CGCS2000 3-degree Gauss-Krüger zone.
    static let cgcs2000Zone38 = SpatialReference.epsg(4547, name: "CGCS2000 / 3-degree Gauss-Kruger CM 114E", definition: """
        PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E",GEOGCS["China Geodetic Coordinate System 2000",\
        DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],\
        PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],\
        AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],\
        PARAMETER["central_meridian",114],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],\
        PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],\
        AXIS["Easting",EAST],AUTHORITY["EPSG","4547"]]
        """)
}
