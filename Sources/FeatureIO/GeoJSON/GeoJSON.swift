import Foundation
public import GeometryEngine

/// GeoJSON (RFC 7946) FeatureCollections in and out, and single geometries.
///
/// Reading keeps integers apart from reals (`5` is `.integer`, `5.0` and `5e0` are `.real`),
/// turns booleans into the integers 0 and 1 and nested objects or arrays into their JSON
/// text. Writing sorts every object's keys and writes each number in the shortest form that
/// reads back exactly, so the same layer always gives the same bytes. Coordinates are WGS 84
/// longitude/latitude, so every layer read has `srs == .wgs84`.
public enum GeoJSON {
    /// Reads the FeatureCollection (or single Feature) in the file at `path` as layer `name`.
    ///
    /// A feature's top-level `id` is put into `properties["id"]` unless it has one already.
    /// The fields are every property in the order first seen, typed INTEGER when every non-null
    /// value is an integer, REAL when every one is a number, TEXT otherwise. The geometry type
    /// is the one type all geometries share, else `"GEOMETRY"`.
    /// - Throws: `FeatureIOError`: `.fileNotFound`; `.notGeoJSON` for invalid JSON (with the
    ///   byte offset, line and column) or a document that is not a FeatureCollection, and for
    ///   a feature that is not a Feature object (with its `row`); `.invalidGeometry` for a
    ///   geometry without a known type or with bad coordinates (with its `row`); `.notARegularFile`
    ///   for a FIFO, a socket or a device.
    public static func readLayer(path: String, name: String) throws -> Layer {
        guard let kind = FileCheck.kind(of: path), kind != .directory else {
            throw FeatureIOError(.fileNotFound, "no such file", file: path, layer: name)
        }
        do {
            // Reading a FIFO nobody writes to would wait forever.
            try FileCheck.inputFile(path)
        } catch {
            throw error.located(layer: name)
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw FeatureIOError(.fileNotFound, "cannot read the file: \(error.localizedDescription)", file: path, layer: name)
        }
        do {
            return try layer(from: bytes, name: name)
        } catch {
            throw error.located(file: path, layer: name)
        }
    }

    /// Reads a FeatureCollection from JSON text, as `readLayer(path:name:)` reads a file.
    public static func decodeLayer(_ json: String, name: String) throws -> Layer {
        do {
            return try layer(from: Array(json.utf8), name: name)
        } catch {
            throw error.located(layer: name)
        }
    }

    /// Writes `layer` as a FeatureCollection to `path`, atomically (a temporary file renamed
    /// into place). Every feature gets every field of the layer (missing ones as null) plus any
    /// other property it has; `fid` is not written.
    /// - Throws: `FeatureIOError`: `.invalidGeometry` for a coordinate that is not finite,
    ///   `.invalidValue` for a real that is not finite or a blob (JSON holds neither), with the
    ///   row and field; `.write` when the file cannot be written.
    public static func write(_ layer: Layer, to path: String) throws {
        let text: String
        do {
            text = try encode(layer)
        } catch {
            throw error.located(file: path, layer: layer.name)
        }
        try AtomicFile.write(to: path) { temporary in
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw FeatureIOError(.write, "cannot write the file: \(error.localizedDescription)")
            }
        }
    }

    /// The FeatureCollection text of `layer`, as `write(_:to:)` writes it: one feature per line.
    public static func encode(_ layer: Layer) throws(FeatureIOError) -> String {
        var out = "{\"features\":["
        let fieldNames = layer.fields.map(\.name)
        for (row, feature) in layer.features.enumerated() {
            func failure(_ kind: FeatureIOError.Kind, _ message: String, field: String? = nil) -> FeatureIOError {
                FeatureIOError(kind, message, layer: layer.name, featureID: feature.fid.map(String.init), field: field, row: row)
            }
            out += row == 0 ? "\n{\"geometry\":" : ",\n{\"geometry\":"
            if let geometry = feature.geometry {
                if let bad = geometry.coordinates.first(where: { !$0.x.isFinite || !$0.y.isFinite }) {
                    throw failure(.invalidGeometry, "coordinate \(bad) is not a finite number, which JSON cannot hold")
                }
                appendGeometry(geometry, to: &out)
            } else {
                out += "null"
            }
            out += ",\"properties\":{"
            let keys = Set(fieldNames).union(feature.properties.keys).sorted()
            for (offset, key) in keys.enumerated() {
                if offset > 0 { out += "," }
                JSONText.appendString(key, to: &out)
                out += ":"
                switch feature[key] {
                case .null: out += "null"
                case .integer(let value): out += String(value)
                case .real(let value):
                    guard value.isFinite else {
                        throw failure(.invalidValue, "\(value) is not a finite number, which JSON cannot hold", field: key)
                    }
                    JSONText.appendNumber(value, to: &out)
                case .text(let value): JSONText.appendString(value, to: &out)
                case .blob:
                    throw failure(.invalidValue, "a blob has no GeoJSON form", field: key)
                }
            }
            out += "},\"type\":\"Feature\"}"
        }
        out += layer.features.isEmpty ? "]," : "\n],"
        out += "\"name\":"
        JSONText.appendString(layer.name, to: &out)
        out += ",\"type\":\"FeatureCollection\"}\n"
        return out
    }

    /// The GeoJSON geometry object of `geometry`, keys sorted, numbers in shortest exact form.
    /// A coordinate that is not finite is written as `null` (JSON has no NaN), which `decode`
    /// rejects; `write` refuses such geometries instead.
    public static func encode(_ geometry: Geometry) -> String {
        var out = ""
        appendGeometry(geometry, to: &out)
        return out
    }

    /// Parses one GeoJSON geometry object.
    /// - Throws: `FeatureIOError` of kind `.notGeoJSON` for invalid JSON, `.invalidGeometry`
    ///   for an unknown type or bad coordinates.
    public static func decode(geometry json: String) throws -> Geometry {
        let bytes = Array(json.utf8)
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw FeatureIOError(.notGeoJSON, "invalid JSON \(error.located(in: bytes))")
        }
        do {
            return try geometry(from: value)
        } catch {
            throw FeatureIOError(.invalidGeometry, error.message)
        }
    }
}

// MARK: - Reading

extension GeoJSON {
    private static func layer(from bytes: [UInt8], name: String) throws(FeatureIOError) -> Layer {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw FeatureIOError(.notGeoJSON, "invalid JSON \(error.located(in: bytes))")
        }
        let features: [JSONValue]
        switch document["type"] {
        case .string("FeatureCollection"):
            guard case .array(let array) = document["features"] else {
                throw FeatureIOError(.notGeoJSON, "a FeatureCollection needs a \"features\" array")
            }
            features = array
        case .string("Feature"):
            features = [document]
        case .string(let type):
            throw FeatureIOError(.notGeoJSON, "expected a FeatureCollection, found a \(type)")
        default:
            throw FeatureIOError(.notGeoJSON, "expected a FeatureCollection, found JSON with no GeoJSON \"type\"")
        }

        var layer = Layer(name: name, srs: .wgs84)
        var fieldTypes: [String: Set<FieldType>] = [:]
        var geometryTypes: Set<String> = []
        layer.features.reserveCapacity(features.count)
        for (row, value) in features.enumerated() {
            let identifier = value["id"]
            func failure(_ kind: FeatureIOError.Kind, _ message: String) -> FeatureIOError {
                let id: String? = switch identifier {
                case .string(let text): text
                case .integer(let number): String(number)
                default: nil
                }
                return FeatureIOError(kind, message, featureID: id, row: row)
            }
            guard case .object = value, case .string("Feature")? = value["type"] else {
                throw failure(.notGeoJSON, "expected a Feature object, found \(value.kindName)")
            }
            var feature = Feature(geometry: nil)
            switch value["geometry"] {
            case nil, .null?: break
            case let geometryValue?:
                do {
                    let geometry = try geometry(from: geometryValue)
                    feature.geometry = geometry
                    geometryTypes.insert(geometry.typeName)
                } catch {
                    throw failure(.invalidGeometry, error.message)
                }
            }
            var pairs: [(key: String, value: JSONValue)] = []
            switch value["properties"] {
            case nil, .null?: break
            case .object(let properties)?: pairs = properties
            case let other?: throw failure(.notGeoJSON, "\"properties\" must be an object or null, found \(other.kindName)")
            }
            if let identifier, !pairs.contains(where: { $0.key == "id" }) {
                pairs.insert(("id", identifier), at: 0)
            }
            for (key, json) in pairs {
                let property = fieldValue(json)
                feature.properties[key] = property
                if fieldTypes[key] == nil {
                    fieldTypes[key] = []
                    layer.fields.append(FieldDefinition(key, .text))
                }
                if let type = property.type { fieldTypes[key]?.insert(type) }
            }
            layer.features.append(feature)
        }
        for index in layer.fields.indices {
            let types = fieldTypes[layer.fields[index].name] ?? []
            layer.fields[index].type = types == [.integer] ? .integer
                : !types.isEmpty && types.isSubset(of: [.integer, .real]) ? .real : .text
        }
        layer.geometryType = geometryTypes.count == 1 ? geometryTypes.first : "GEOMETRY"
        return layer
    }

    private static func fieldValue(_ json: JSONValue) -> FieldValue {
        switch json {
        case .null: .null
        case .bool(let value): .integer(value ? 1 : 0)
        case .integer(let value): .integer(value)
        case .number(let value): .real(value)
        case .string(let value): .text(value)
        case .array, .object: .text(json.text)
        }
    }

    /// What is wrong with a geometry object, with the JSON path to it.
    struct GeometryProblem: Error {
        var message: String
    }

    private static func geometry(from json: JSONValue, path: String = "geometry", depth: Int = 0) throws(GeometryProblem) -> Geometry {
        guard case .object = json else { throw GeometryProblem(message: "\(path) must be an object or null, found \(json.kindName)") }
        guard case .string(let type)? = json["type"] else { throw GeometryProblem(message: "\(path) has no \"type\"") }
        if type == "GeometryCollection" {
            guard depth < 32 else { throw GeometryProblem(message: "\(path): collections nested too deep") }
            guard case .array(let parts)? = json["geometries"] else {
                throw GeometryProblem(message: "\(path): a GeometryCollection needs a \"geometries\" array")
            }
            var geometries: [Geometry] = []
            for (index, part) in parts.enumerated() {
                geometries.append(try geometry(from: part, path: "\(path).geometries[\(index)]", depth: depth + 1))
            }
            return .geometryCollection(geometries)
        }
        guard let coordinates = json["coordinates"] else {
            throw GeometryProblem(message: "\(path): a \(type) needs \"coordinates\"")
        }
        let at = "\(path).coordinates"
        switch type {
        case "Point": return .point(try position(coordinates, at))
        case "MultiPoint": return .multiPoint(try positions(coordinates, at))
        case "LineString": return .lineString(try positions(coordinates, at))
        case "MultiLineString": return .multiLineString(try list(coordinates, at, positions))
        case "Polygon": return .polygon(Polygon(rings: try list(coordinates, at, positions)))
        case "MultiPolygon":
            return .multiPolygon(try list(coordinates, at) { json, path throws(GeometryProblem) in
                Polygon(rings: try list(json, path, positions))
            })
        default:
            throw GeometryProblem(message: "\(path) has unknown type \"\(InputExcerpt.of(type))\"")
        }
    }

    private static func list<T>(_ json: JSONValue, _ path: String,
                                _ element: (JSONValue, String) throws(GeometryProblem) -> T) throws(GeometryProblem) -> [T] {
        guard case .array(let values) = json else {
            throw GeometryProblem(message: "\(path) must be an array, found \(json.kindName)")
        }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            result.append(try element(value, "\(path)[\(index)]"))
        }
        return result
    }

    private static func positions(_ json: JSONValue, _ path: String) throws(GeometryProblem) -> [XY] {
        try list(json, path, position)
    }

    /// A position: two or more numbers, of which x and y are kept.
    private static func position(_ json: JSONValue, _ path: String) throws(GeometryProblem) -> XY {
        guard case .array(let values) = json, values.count >= 2 else {
            throw GeometryProblem(message: "\(path) must be a position, an array of at least two numbers; found \(json.kindName)")
        }
        guard let x = values[0].double, let y = values[1].double, values.allSatisfy({ $0.double != nil }) else {
            throw GeometryProblem(message: "\(path) must be a position, an array of numbers only")
        }
        return XY(x, y)
    }
}

// MARK: - Writing

extension GeoJSON {
    private static func appendGeometry(_ geometry: Geometry, to out: inout String) {
        func position(_ p: XY) {
            out += "["
            JSONText.appendNumber(p.x, to: &out)
            out += ","
            JSONText.appendNumber(p.y, to: &out)
            out += "]"
        }
        func array<T>(_ items: [T], _ element: (T) -> Void) {
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                element(item)
            }
            out += "]"
        }
        func rings(_ polygon: Polygon) { array(polygon.rings) { array($0, position) } }
        func object(_ type: String, _ coordinates: () -> Void) {
            out += "{\"coordinates\":"
            coordinates()
            out += ",\"type\":\"\(type)\"}"
        }
        switch geometry {
        case .point(let p): object("Point") { position(p) }
        case .multiPoint(let points): object("MultiPoint") { array(points, position) }
        case .lineString(let points): object("LineString") { array(points, position) }
        case .multiLineString(let lines): object("MultiLineString") { array(lines) { array($0, position) } }
        case .polygon(let polygon): object("Polygon") { rings(polygon) }
        case .multiPolygon(let polygons): object("MultiPolygon") { array(polygons, rings) }
        case .geometryCollection(let parts):
            out += "{\"geometries\":"
            array(parts) { appendGeometry($0, to: &out) }
            out += ",\"type\":\"GeometryCollection\"}"
        }
    }
}
