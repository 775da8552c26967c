import Foundation
import GeometryEngine
import FeatureIO
import Projections

/// How to read a district.
public struct DistrictReadOptions: Sendable {
    /// The datum of lon/lat input (`--datum`): GCJ-02 and BD-09 data from Chinese web maps is
    /// converted to WGS 84 on reading.
    public var datum: Datum
    /// When set, buildings without a household count get an estimate (`--estimate-households`).
    public var householdEstimation: HouseholdEstimation?
    /// The office's names of layers and fields (`--layer`, `--map`, `--mapping`).
    public var mapping: DistrictMapping
    /// The encoding of a Shapefile's DBF, over its `.cpg` and the mapping file's (`--encoding`).
    public var encoding: TextEncoding?

    public init(datum: Datum = .wgs84, householdEstimation: HouseholdEstimation? = nil, mapping: DistrictMapping = DistrictMapping(),
                encoding: TextEncoding? = nil) {
        self.datum = datum
        self.householdEstimation = householdEstimation
        self.mapping = mapping
        self.encoding = encoding
    }
}

/// A district read from disk, with what was found on the way.
public struct DistrictReadResult: Sendable {
    public var district: District
    /// Problems handled without stopping (repairs, dropped features, unknown optional values).
    public var findings: [DistrictFinding]
    /// The path read.
    public var path: String
    /// The EPSG code of each layer as stored (before any conversion to the communities' CRS).
    public var layerEPSG: [DistrictLayer: Int]
    /// The file each layer is read from, as messages name it: the GeoPackage, the layer's
    /// `<layer>.geojson` in a folder, its Shapefile, or the file GDAL read.
    public var layerFiles: [DistrictLayer: String]
}

/// Reads and validates a district (`data.md`, "Input: a district").
///
/// Stops with a `DistrictError` on input that cannot be understood; repairs and reports the
/// mess real data has. Every layer ends up in the CRS of `communities`.
public enum DistrictReader {
    public static func read(_ path: String, options: DistrictReadOptions = DistrictReadOptions()) throws -> DistrictReadResult {
        let mapping = options.mapping
        let source = try DistrictSource.open(path, encoding: options.encoding ?? mapping.encoding)
        try checkMappedLayers(source, mapping: mapping)
        for layer in DistrictLayer.allCases where layer.isRequired && !source.hasLayer(mapping.sourceName(of: layer)) {
            throw DistrictError(.missingLayer, file: source.file(of: mapping.sourceName(of: layer)), layer: layer.rawValue,
                                message: "the district has no \(layer.rawValue) layer; it needs communities and buildings"
                                    + (source.layerNames.isEmpty ? "" : " (name its layers with --layer; it has \(InputExcerpt.of(source.layerNames.joined(separator: ", "), limit: 400)))"))
        }
        var reading = LayerReading(source: source, options: options)
        var district = District(epsg: 0)
        district.communities = try reading.layer(.communities, parse: { try $0.community($1, $2) })
        district.epsg = reading.targetEPSG ?? 4326
        district.buildings = try reading.layer(.buildings, parse: { try $0.building($1, $2) })
        district.droppedBuildings = reading.droppedBuildings
        district.roads = try reading.layer(.roads, parse: { try $0.road($1, $2) })
        district.shops = try reading.layer(.shops, parse: { try $0.shop($1, $2) })
        district.dedicated = try reading.layer(.dedicated, parse: { try $0.dedicatedSite($1, $2) })
        district.compounds = try reading.layer(.compounds, parse: { try $0.compound($1, $2) })
        district.barriers = try reading.layer(.barriers, parse: { try $0.barrier($1, $2) })
        try reading.checkEveryLayerFieldsUsed()
        if let estimation = options.householdEstimation {
            reading.findings += try estimation.apply(to: &district, missing: reading.buildingsWithoutHouseholds)
        }
        let files = Dictionary(uniqueKeysWithValues: DistrictLayer.allCases.map { ($0, source.file(of: mapping.sourceName(of: $0))) })
        return DistrictReadResult(district: district, findings: reading.findings, path: path, layerEPSG: reading.layerEPSG,
                                  layerFiles: files)
    }

    /// Every layer a mapping names is in the source: an error listing the layers it has otherwise.
    private static func checkMappedLayers(_ source: DistrictSource, mapping: DistrictMapping) throws {
        let named = mapping.layers.map { ($0.key, $0.value, "--layer \($0.key.rawValue)=\(InputExcerpt.of($0.value))") }
            + mapping.fields.keys.filter { mapping.layers[$0] == nil }.map { ($0, $0.rawValue, "--map \($0.rawValue).…") }
        for (layer, name, entry) in named.sorted(by: { $0.2 < $1.2 }) where !source.hasLayer(name) {
            let known = source.layerNames.isEmpty ? "it has none" : "it has: \(InputExcerpt.of(source.layerNames.joined(separator: ", "), limit: 400))"
            throw DistrictError(.missingLayer, file: source.path, layer: layer.rawValue,
                                message: "\(entry): the source has no layer \(InputExcerpt.of(name)); \(known)")
        }
    }
}

/// The state of one read: the CRS chosen, the findings so far, the GEOS context for repairs.
private struct LayerReading {
    let source: DistrictSource
    let options: DistrictReadOptions
    let context = GEOSContext()
    var findings: [DistrictFinding] = []
    var targetEPSG: Int?
    var layerEPSG: [DistrictLayer: Int] = [:]
    var buildingsWithoutHouseholds: Set<String> = []
    var droppedBuildings: [UnplacedBuilding] = []
    /// The every-layer field mappings (`--map households=户数`) some layer had the field of.
    var everyLayerFieldsUsed: Set<String> = []
    /// Each layer read, by the source's field names and without its features, for the message
    /// of a mapping no layer matched.
    var schemas: [(DistrictLayer, Layer)] = []

    init(source: DistrictSource, options: DistrictReadOptions) {
        self.source = source
        self.options = options
    }

    /// Reads one layer (absent optional layers are empty) and parses each feature.
    mutating func layer<T>(_ layer: DistrictLayer, parse: (inout LayerReading, FeatureFields, Geometry) throws -> T?) throws -> [T] {
        let name = options.mapping.sourceName(of: layer)
        guard source.hasLayer(name) else { return [] }
        let file = source.file(of: name)
        var data = try source.read(name, as: layer)
        schemas.append((layer, Layer(name: data.name, fields: data.fields)))
        everyLayerFieldsUsed.formUnion(try options.mapping.rename(&data, layer: layer, file: file))
        let epsg = try crs(of: data, layer: layer, file: file)
        let transform = try coordinateTransform(from: epsg, layer: layer, file: file)
        try checkRequiredFields(data, layer: layer, file: file)

        var seen: [String: String] = [:] // id -> label of the first feature with it
        var parsed: [T] = []
        parsed.reserveCapacity(data.features.count)
        for (index, feature) in data.features.enumerated() {
            var fields = FeatureFields(feature, index: index, file: file, layer: layer)
            let idField = layer == .communities ? "code" : "id"
            let id = try fields.identifier(idField)
            let position = fields.label
            fields.label = id
            if let first = seen[id] {
                throw fields.error(.duplicateID, field: idField, "\(idField) \(InputExcerpt.of(id)) is used twice (\(first) and \(position)); ids must be unique within a layer")
            }
            seen[id] = position
            guard let raw = feature.geometry, !raw.isEmpty else {
                if layer == .communities { throw fields.error(.invalidGeometry, field: nil, "the community has no geometry") }
                findings.append(DistrictFinding(.droppedFeature, layer: layer, featureID: id, detail: "no geometry"))
                if layer == .buildings { try dropBuilding(fields, reason: .noGeometry, detail: nil) }
                continue
            }
            let geometry = try transform(raw)
            let repair = try cleaned(geometry, fields: fields)
            guard let clean = repair.geometry else {
                if layer == .buildings { try dropBuilding(fields, reason: .emptyAfterRepair, detail: repair.note) }
                continue
            }
            if let value = try parse(&self, fields, clean) { parsed.append(value) }
        }
        return parsed
    }

    /// Every `--map FIELD=SOURCE_FIELD` without a layer matched a field of some layer: an error
    /// listing each layer's fields otherwise.
    func checkEveryLayerFieldsUsed() throws {
        let mapping = options.mapping
        guard let (ours, theirs) = mapping.everyLayerFields.sorted(by: { $0.key < $1.key }).first(where: { !everyLayerFieldsUsed.contains($0.key) })
        else { return }
        let listings = schemas.map { "\($0.0.rawValue): \(InputExcerpt.of($0.1.fields.map(\.name).joined(separator: ", "), limit: 200))" }
        throw DistrictError(.missingField, file: source.path, field: theirs,
                            message: "--map \(ours)=\(InputExcerpt.of(theirs)): no layer has a field \(InputExcerpt.of(theirs)); the fields are: \(listings.joined(separator: "; "))")
    }

    /// The EPSG code of a layer, checked against PROJ.
    mutating func crs(of data: Layer, layer: DistrictLayer, file: String) throws -> Int {
        guard let srs = data.srs else { return 4326 } // GeoJSON is always WGS 84 lon/lat
        let code: Int
        if srs.organization.uppercased() == "EPSG", srs.organizationID > 0 {
            code = Int(srs.organizationID)
        } else if srs.srsID > 0, srs.organization.uppercased() != "NONE" {
            code = Int(srs.srsID)
        } else {
            throw DistrictError(.unknownCRS, file: file, layer: layer.rawValue,
                                message: "the layer has no EPSG CRS (srs_id \(srs.srsID)); assign one, e.g. ogr2ogr -a_srs EPSG:4326")
        }
        do {
            _ = try CRSInfo.lookup(epsg: code)
        } catch {
            throw DistrictError(.unknownCRS, file: file, layer: layer.rawValue,
                                message: "EPSG:\(code) is not a CRS PROJ knows; reproject the layer to a known EPSG code")
        }
        layerEPSG[layer] = code
        return code
    }

    /// The conversion of a layer's coordinates into the district CRS (the communities' CRS),
    /// including the Chinese datum shift for lon/lat input.
    mutating func coordinateTransform(from epsg: Int, layer: DistrictLayer, file: String) throws -> (Geometry) throws -> Geometry {
        let target = targetEPSG ?? epsg
        targetEPSG = target
        var steps: [(Geometry) throws -> Geometry] = []
        if options.datum != .wgs84 {
            let info = try CRSInfo.lookup(epsg: epsg)
            guard info.isGeographic else {
                throw DistrictError(.invalidValue, file: file, layer: layer.rawValue, field: "--datum",
                                    message: "--datum \(options.datum.rawValue) applies to lon/lat data, but the layer is in EPSG:\(epsg) (\(info.name)); leave --datum out")
            }
            let datum = options.datum
            steps.append { $0.mapCoordinates { datum.toWGS84($0) } }
        }
        if epsg != target {
            let transformer = try CoordinateTransformer(from: epsg, to: target)
            steps.append { try transformer.transform($0) }
        }
        return { geometry in try steps.reduce(geometry) { try $1($0) } }
    }

    func checkRequiredFields(_ data: Layer, layer: DistrictLayer, file: String) throws {
        let required: [String] = switch layer {
        case .communities: ["code"]
        case .buildings: options.householdEstimation == nil ? ["id", "households"] : ["id"]
        default: ["id"]
        }
        let names = Set(data.fields.map(\.name))
        for field in required where !names.contains(field) && !data.features.isEmpty {
            var hint = ""
            if field == "households" { hint = "; or pass --estimate-households to estimate them from footprints" }
            throw DistrictError(.missingField, file: file, layer: layer.rawValue, field: field,
                                message: "the layer has no field \(field)\(hint)")
        }
    }

    /// The repaired geometry of a feature, with what the repair did; no geometry (reported)
    /// when nothing usable is left.
    mutating func cleaned(_ geometry: Geometry, fields: FeatureFields) throws -> GeometryRepair.Result {
        let layer = fields.layer
        // NaN or an infinity is no place: a corrupt file, not mess to repair (make-valid would
        // quietly drop the corner). An empty point, stored as NaN, is no place either.
        if let bad = geometry.coordinates.first(where: { !$0.x.isFinite || !$0.y.isFinite }) {
            throw fields.error(.invalidGeometry, field: nil, "coordinate (\(bad.x), \(bad.y)) is not a finite number: fix the feature's geometry")
        }
        let result: GeometryRepair.Result
        switch layer {
        case .communities, .buildings, .dedicated, .compounds:
            guard geometry.dimension == 2 else {
                throw fields.error(.invalidGeometry, field: nil, "a \(geometry.typeName) where the \(layer.rawValue) layer needs polygons")
            }
            result = GeometryRepair.polygonal(geometry, context: context)
        case .roads, .barriers:
            guard geometry.dimension == 1 else {
                throw fields.error(.invalidGeometry, field: nil, "a \(geometry.typeName) where the \(layer.rawValue) layer needs lines")
            }
            result = GeometryRepair.lineal(geometry)
        case .shops:
            switch geometry {
            case .point: return GeometryRepair.Result(geometry: geometry)
            case .multiPoint(let points) where points.count == 1: return GeometryRepair.Result(geometry: .point(points[0]))
            default:
                guard geometry.dimension == 2 else {
                    throw fields.error(.invalidGeometry, field: nil, "a \(geometry.typeName) where the shops layer needs points or polygons")
                }
                result = GeometryRepair.polygonal(geometry, context: context)
            }
        }
        if let note = result.note {
            if result.geometry == nil, layer == .communities {
                throw fields.error(.invalidGeometry, field: nil, "the community's geometry cannot be repaired: \(note)")
            }
            let kind: DistrictFinding.Kind = result.geometry == nil ? .droppedFeature : .repairedGeometry
            findings.append(DistrictFinding(kind, layer: layer, featureID: fields.label, detail: note))
        }
        return result
    }

    /// Records a building left out for want of a usable footprint, with its households, so that
    /// the partition counts them among the households not placed. Its fields are read as any
    /// building's: a household count that cannot be understood stops the run here too.
    mutating func dropBuilding(_ fields: FeatureFields, reason: UnplacedReason, detail: String?) throws {
        let households = try householdCount(fields)
        let unknown = households == nil ? "no household count, and no footprint to estimate one from" : nil
        let detail = [detail, unknown].compactMap { $0 }.joined(separator: "; ")
        droppedBuildings.append(UnplacedBuilding(buildingID: fields.label, households: households ?? 0, reason: reason,
                                                 detail: detail.isEmpty ? nil : detail))
    }

    /// The `households` of a building; nil when the field is empty and households are to be
    /// estimated (`--estimate-households`).
    func householdCount(_ fields: FeatureFields) throws -> Int? {
        let households = try fields.integer("households")
        if let value = households, value < 0 {
            throw fields.error(.invalidValue, field: "households", "households is \(value): it must be a whole number >= 0")
        }
        if households == nil, options.householdEstimation == nil {
            throw fields.error(.missingValue, field: "households", "no household count; give one, or pass --estimate-households")
        }
        return households
    }

    // MARK: Layers

    mutating func community(_ fields: FeatureFields, _ geometry: Geometry) throws -> Community? {
        let code = fields.label
        guard code.count == 12, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
            throw fields.error(.invalidValue, field: "code", "code \(InputExcerpt.of(code)) is not a 12-digit statistical division code")
        }
        var kind = Community.Kind.urban
        if let text = fields.text("kind") {
            guard let known = Community.Kind(rawValue: text.lowercased()) else {
                throw fields.error(.invalidValue, field: "kind", "kind \"\(InputExcerpt.of(text))\" is neither urban nor rural")
            }
            kind = known
        }
        let streetCode = fields.text("street_code")
        return Community(code: code, name: fields.text("name"), kind: kind, streetCode: streetCode,
                         streetName: fields.text("street_name"), geometry: geometry)
    }

    mutating func building(_ fields: FeatureFields, _ geometry: Geometry) throws -> Building? {
        let id = fields.label
        let households = try householdCount(fields)
        if households == nil { buildingsWithoutHouseholds.insert(id) }
        var units = try? fields.integer("units")
        if let value = units ?? nil, value < 1 {
            findings.append(DistrictFinding(.unknownValue, layer: .buildings, featureID: id, detail: "units is \(value); ignored (must be >= 1)"))
            units = nil
        }
        let floors = (try? fields.integer("floors")) ?? nil
        var building = Building(id: id, households: households ?? 0, compound: fields.text("compound"),
                                units: units ?? nil, floors: floors.flatMap { $0 > 0 ? $0 : nil },
                                kind: fields.text("kind")?.lowercased() ?? "residential", geometry: geometry)
        building.levels = fields.number("levels") ?? fields.number("building:levels")
        building.height = fields.number("height")
        return building
    }

    mutating func road(_ fields: FeatureFields, _ geometry: Geometry) throws -> Road? {
        var roadClass: RoadClass?
        if let text = fields.text("class") {
            roadClass = RoadClass(rawValue: text.lowercased()) ?? RoadClass(osmHighway: text.lowercased())
            if roadClass == nil {
                findings.append(DistrictFinding(.unknownValue, layer: .roads, featureID: fields.label,
                                                detail: "class \"\(text)\" is not arterial, secondary, branch, service or path; treated as unclassified"))
            }
        }
        let layer = fields.number("layer").map { Int($0.rounded()) } ?? 0
        return Road(id: fields.label, roadClass: roadClass, name: fields.text("name"),
                    tunnel: fields.flag("tunnel") ?? false, bridge: fields.flag("bridge") ?? false, layer: layer, geometry: geometry)
    }

    mutating func shop(_ fields: FeatureFields, _ geometry: Geometry) throws -> Shop? {
        Shop(id: fields.label, name: fields.text("name"), category: fields.text("category"), geometry: geometry)
    }

    mutating func dedicatedSite(_ fields: FeatureFields, _ geometry: Geometry) throws -> DedicatedSite? {
        var kind = DedicatedSite.Kind.other
        if let text = fields.text("kind") {
            if let known = DedicatedSite.Kind(rawValue: text.lowercased()) {
                kind = known
            } else {
                findings.append(DistrictFinding(.unknownValue, layer: .dedicated, featureID: fields.label,
                                                detail: "kind \"\(text)\" is not enterprise, mall, school, hospital or other; treated as other"))
            }
        }
        return DedicatedSite(id: fields.label, name: fields.text("name"), kind: kind, geometry: geometry)
    }

    mutating func compound(_ fields: FeatureFields, _ geometry: Geometry) throws -> Compound? {
        Compound(id: fields.label, name: fields.text("name"), geometry: geometry)
    }

    mutating func barrier(_ fields: FeatureFields, _ geometry: Geometry) throws -> Barrier? {
        Barrier(id: fields.label, name: fields.text("name"), kind: fields.text("kind"), geometry: geometry)
    }
}

extension RoadClass {
    /// The class of an OpenStreetMap `highway` value, for districts built straight from OSM.
    public init?(osmHighway value: String) {
        switch value {
        case "motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link": self = .arterial
        case "secondary", "tertiary", "secondary_link", "tertiary_link": self = .secondary
        case "residential", "unclassified", "living_street", "road": self = .branch
        case "service": self = .service
        case "footway", "path", "cycleway", "pedestrian", "steps", "track", "bridleway": self = .path
        default: return nil
        }
    }
}
