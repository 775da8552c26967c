import FeatureIO
import GeometryEngine
import Projections

/// Writes a district as a GeoPackage of `data.md`'s input layers, atomically.
public enum DistrictWriter {
    /// The GeoPackage layers of `district` (empty optional layers are left out).
    public static func layers(of district: District) throws -> [Layer] {
        let info = try CRSInfo.lookup(epsg: district.epsg)
        let srs = SpatialReference.epsg(Int32(district.epsg), name: info.name, definition: info.wkt)
        func text(_ value: String?) -> FieldValue { value.map { .text($0) } ?? .null }
        func integer(_ value: Int?) -> FieldValue { value.map { .integer(Int64($0)) } ?? .null }
        func polygonal(_ geometries: [Geometry]) -> String {
            geometries.allSatisfy { if case .polygon = $0 { true } else { false } } ? "POLYGON" : "MULTIPOLYGON"
        }

        var layers: [Layer] = []
        layers.append(Layer(
            name: DistrictLayer.communities.rawValue, geometryType: polygonal(district.communities.map(\.geometry)), srs: srs,
            fields: [.init(name: "code", type: .text), .init(name: "name", type: .text), .init(name: "kind", type: .text),
                     .init(name: "street_code", type: .text), .init(name: "street_name", type: .text)],
            features: district.communities.map {
                Feature(geometry: $0.geometry, properties: [
                    "code": .text($0.code), "name": text($0.name), "kind": .text($0.kind.rawValue),
                    "street_code": text($0.streetCode), "street_name": text($0.streetName),
                ])
            }))
        layers.append(Layer(
            name: DistrictLayer.buildings.rawValue, geometryType: polygonal(district.buildings.map(\.geometry)), srs: srs,
            fields: [.init(name: "id", type: .text), .init(name: "households", type: .integer), .init(name: "compound", type: .text),
                     .init(name: "units", type: .integer), .init(name: "floors", type: .integer), .init(name: "kind", type: .text)],
            features: district.buildings.map {
                Feature(geometry: $0.geometry, properties: [
                    "id": .text($0.id), "households": .integer(Int64($0.households)), "compound": text($0.compound),
                    "units": integer($0.units), "floors": integer($0.floors), "kind": .text($0.kind),
                ])
            }))
        if !district.roads.isEmpty {
            let lines = district.roads.allSatisfy { if case .lineString = $0.geometry { true } else { false } }
            // Grade separation only when some road has it: districts without keep their columns.
            let graded = district.roads.contains { !$0.isAtGrade }
            let gradeFields: [FieldDefinition] = graded ? [.init(name: "tunnel", type: .integer), .init(name: "bridge", type: .integer),
                                                  .init(name: "layer", type: .integer)] : []
            layers.append(Layer(
                name: DistrictLayer.roads.rawValue, geometryType: lines ? "LINESTRING" : "MULTILINESTRING", srs: srs,
                fields: [.init(name: "id", type: .text), .init(name: "class", type: .text), .init(name: "name", type: .text)] + gradeFields,
                features: district.roads.map {
                    var properties: [String: FieldValue] = ["id": .text($0.id), "class": text($0.roadClass?.rawValue), "name": text($0.name)]
                    if graded {
                        properties["tunnel"] = .integer($0.tunnel ? 1 : 0)
                        properties["bridge"] = .integer($0.bridge ? 1 : 0)
                        properties["layer"] = .integer(Int64($0.layer))
                    }
                    return Feature(geometry: $0.geometry, properties: properties)
                }))
        }
        if !district.shops.isEmpty {
            let points = district.shops.allSatisfy { if case .point = $0.geometry { true } else { false } }
            layers.append(Layer(
                name: DistrictLayer.shops.rawValue, geometryType: points ? "POINT" : "GEOMETRY", srs: srs,
                fields: [.init(name: "id", type: .text), .init(name: "name", type: .text), .init(name: "category", type: .text)],
                features: district.shops.map {
                    Feature(geometry: $0.geometry, properties: ["id": .text($0.id), "name": text($0.name), "category": text($0.category)])
                }))
        }
        if !district.dedicated.isEmpty {
            layers.append(Layer(
                name: DistrictLayer.dedicated.rawValue, geometryType: polygonal(district.dedicated.map(\.geometry)), srs: srs,
                fields: [.init(name: "id", type: .text), .init(name: "name", type: .text), .init(name: "kind", type: .text)],
                features: district.dedicated.map {
                    Feature(geometry: $0.geometry, properties: ["id": .text($0.id), "name": text($0.name), "kind": .text($0.kind.rawValue)])
                }))
        }
        if !district.compounds.isEmpty {
            layers.append(Layer(
                name: DistrictLayer.compounds.rawValue, geometryType: polygonal(district.compounds.map(\.geometry)), srs: srs,
                fields: [.init(name: "id", type: .text), .init(name: "name", type: .text)],
                features: district.compounds.map { Feature(geometry: $0.geometry, properties: ["id": .text($0.id), "name": text($0.name)]) }))
        }
        if !district.barriers.isEmpty {
            layers.append(Layer(
                name: DistrictLayer.barriers.rawValue, geometryType: "GEOMETRY", srs: srs,
                fields: [.init(name: "id", type: .text), .init(name: "name", type: .text), .init(name: "kind", type: .text)],
                features: district.barriers.map {
                    Feature(geometry: $0.geometry, properties: ["id": .text($0.id), "name": text($0.name), "kind": text($0.kind)])
                }))
        }
        return layers
    }

    /// Writes `district` to `path` (a temporary file renamed into place).
    public static func write(_ district: District, to path: String) throws {
        try GeoPackageWriter.write(layers(of: district).map(promotingToLayerType), to: path)
    }

    /// A layer whose single geometries are promoted to the layer's multi type: a GeoPackage
    /// column of type MULTIPOLYGON holds only multipolygons.
    static func promotingToLayerType(_ layer: Layer) -> Layer {
        var layer = layer
        for i in layer.features.indices {
            switch (layer.geometryType, layer.features[i].geometry) {
            case ("MULTIPOLYGON", .polygon(let polygon)?): layer.features[i].geometry = .multiPolygon([polygon])
            case ("MULTILINESTRING", .lineString(let line)?): layer.features[i].geometry = .multiLineString([line])
            default: break
            }
        }
        return layer
    }
}
