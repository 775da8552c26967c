import Foundation
public import FeatureIO

/// How an office names its layers and fields (`--layer`, `--map`, `--mapping`): which layer of
/// the source is each district layer, and which of its fields is each field of `data.md`.
///
/// Applied wherever a district is read, in any format: `DistrictReader` reads the named layer
/// and renames the fields before it looks at them, so nothing downstream knows the office's names.
public struct DistrictMapping: Hashable, Sendable {
    /// The source's layer for each district layer named otherwise (`--layer buildings=楼栋`).
    public var layers: [DistrictLayer: String] = [:]
    /// Fields of one layer: ours → the source's (`--map buildings.households=户数`).
    public var fields: [DistrictLayer: [String: String]] = [:]
    /// Fields of every layer that has the source's field: ours → the source's (`--map households=户数`).
    public var everyLayerFields: [String: String] = [:]
    /// The encoding a mapping file names (`"encoding": "GBK"`), for sources that have no `.cpg`.
    public var encoding: TextEncoding?

    public init() {}

    public var isEmpty: Bool { layers.isEmpty && fields.isEmpty && everyLayerFields.isEmpty }

    /// Why a `--layer` or `--map` value, or an entry of a mapping file, cannot be understood.
    public struct SyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Adds `LAYER=SOURCE_LAYER` (`communities=社区`).
    public mutating func addLayer(_ entry: String) throws(SyntaxError) {
        let (ours, theirs) = try Self.split(entry, flag: "--layer", form: "LAYER=SOURCE_LAYER")
        layers[try Self.districtLayer(ours, in: entry)] = theirs
    }

    /// Adds `[LAYER.]FIELD=SOURCE_FIELD` (`buildings.households=户数`, or `households=户数` for
    /// every layer that has a field 户数).
    public mutating func addField(_ entry: String) throws(SyntaxError) {
        let (ours, theirs) = try Self.split(entry, flag: "--map", form: "[LAYER.]FIELD=SOURCE_FIELD")
        let parts = ours.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2 {
            guard !parts[1].isEmpty else { throw SyntaxError(description: "--map \(InputExcerpt.of(entry)): no field after the layer") }
            fields[try Self.districtLayer(parts[0], in: entry), default: [:]][parts[1]] = theirs
        } else {
            everyLayerFields[ours] = theirs
        }
    }

    /// This mapping with `other`'s entries over its own (flags over a mapping file).
    public func overridden(by other: DistrictMapping) -> DistrictMapping {
        var merged = self
        merged.layers.merge(other.layers) { $1 }
        for (layer, renames) in other.fields { merged.fields[layer, default: [:]].merge(renames) { $1 } }
        merged.everyLayerFields.merge(other.everyLayerFields) { $1 }
        merged.encoding = other.encoding ?? encoding
        return merged
    }

    /// Reads a mapping file (`--mapping office.json`), the same entries as the flags:
    ///
    ///     {"encoding": "GBK",
    ///      "layers": {"communities": "社区", "buildings": "楼栋"},
    ///      "fields": {"buildings.households": "户数", "communities.code": "社区编码", "name": "名称"}}
    ///
    /// Every key is optional. - Throws: `DistrictError` naming the file.
    public static func load(path: String) throws -> DistrictMapping {
        func invalid(_ message: String) -> DistrictError { DistrictError(.invalidValue, file: path, message: message) }
        let data: Data
        do {
            try FileCheck.inputFile(path)
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as FeatureIOError {
            throw DistrictError(unreadable: error, file: path)
        } catch {
            throw DistrictError(.unreadable, file: path, message: "cannot read the mapping file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw invalid("a mapping file is a JSON object: {\"layers\": {...}, \"fields\": {...}, \"encoding\": \"GBK\"}")
        }
        var mapping = DistrictMapping()
        for key in object.keys where !["layers", "fields", "encoding"].contains(key) {
            throw invalid("unknown key \(InputExcerpt.of(key)); a mapping file has layers, fields and encoding")
        }
        func entries(_ key: String) throws -> [String: String] {
            guard let value = object[key] else { return [:] }
            guard let entries = value as? [String: String] else { throw invalid("\(key) must map names to names (strings)") }
            return entries
        }
        do {
            for (ours, theirs) in try entries("layers").sorted(by: { $0.key < $1.key }) { try mapping.addLayer("\(ours)=\(theirs)") }
            for (ours, theirs) in try entries("fields").sorted(by: { $0.key < $1.key }) { try mapping.addField("\(ours)=\(theirs)") }
        } catch let error as SyntaxError {
            throw invalid(error.description)
        }
        if let name = object["encoding"] {
            guard let name = name as? String, let encoding = TextEncoding(name) else {
                throw invalid("encoding \(InputExcerpt.of("\(name)")) is not one this machine knows (GBK, GB18030, UTF-8...)")
            }
            mapping.encoding = encoding
        }
        return mapping
    }

    private static func split(_ entry: String, flag: String, form: String) throws(SyntaxError) -> (String, String) {
        guard let equals = entry.firstIndex(of: "=") else {
            throw SyntaxError(description: "\(flag) \(InputExcerpt.of(entry)) is not \(form)")
        }
        let ours = entry[..<equals].trimmingCharacters(in: .whitespaces)
        let theirs = String(entry[entry.index(after: equals)...])
        guard !ours.isEmpty, !theirs.isEmpty else { throw SyntaxError(description: "\(flag) \(InputExcerpt.of(entry)) is not \(form)") }
        return (ours, theirs)
    }

    private static func districtLayer(_ name: String, in entry: String) throws(SyntaxError) -> DistrictLayer {
        guard let layer = DistrictLayer(rawValue: name) else {
            let known = DistrictLayer.allCases.map(\.rawValue).joined(separator: ", ")
            throw SyntaxError(description: "\(InputExcerpt.of(entry)): \(InputExcerpt.of(name)) is not a district layer (\(known))")
        }
        return layer
    }
}

extension DistrictMapping {
    /// The source's name of district layer `layer`.
    func sourceName(of layer: DistrictLayer) -> String { layers[layer] ?? layer.rawValue }

    /// `data` with the source's field names replaced by ours. Returns the every-layer entries it used.
    /// - Throws: `DistrictError` (`.missingField`) listing the layer's fields when a field mapped
    ///   for this layer is not one of them.
    func rename(_ data: inout Layer, layer: DistrictLayer, file: String) throws -> Set<String> {
        let names = Set(data.fields.map(\.name))
        var renames = fields[layer] ?? [:]
        for (ours, theirs) in renames where !names.contains(theirs) {
            throw DistrictError(.missingField, file: file, layer: layer.rawValue, field: theirs,
                                message: "--map \(layer.rawValue).\(ours)=\(InputExcerpt.of(theirs)): the layer has no field \(InputExcerpt.of(theirs)); \(Self.listing(data))")
        }
        var used: Set<String> = []
        for (ours, theirs) in everyLayerFields where renames[ours] == nil && names.contains(theirs) {
            renames[ours] = theirs
            used.insert(ours)
        }
        let renamed = renames.filter { $0.key != $0.value }
        guard !renamed.isEmpty else { return used }
        let byTheirs = Dictionary(renamed.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        let replaced = Set(renamed.keys) // our names: a source field already called so gives way
        data.fields = data.fields.compactMap { field in
            if let ours = byTheirs[field.name] { return FieldDefinition(ours, field.type) }
            return replaced.contains(field.name) ? nil : field
        }
        for index in data.features.indices {
            var properties: [String: FieldValue] = [:]
            properties.reserveCapacity(data.features[index].properties.count)
            for (name, value) in data.features[index].properties {
                if let ours = byTheirs[name] {
                    properties[ours] = value
                } else if !replaced.contains(name), properties[name] == nil {
                    properties[name] = value
                }
            }
            data.features[index].properties = properties
        }
        return used
    }

    /// "its fields are: a, b, c" for a message.
    static func listing(_ data: Layer) -> String {
        data.fields.isEmpty ? "it has no fields" : "its fields are: " + InputExcerpt.of(data.fields.map(\.name).joined(separator: ", "), limit: 400)
    }
}
