public import DistrictModel
public import FeatureIO
import Foundation
import GeometryEngine
import GridLookup
import GridSchema
import Projections

/// The register (台账) a street office keeps of its grids: one sheet of grids, one of
/// micro-grids, one of buildings, with what the office asks of each (code, name, community,
/// street, households, buildings, units, shops, road length, area) and, for grids imported by
/// `gridweave import-grids`, the office's own fields (grid worker, phone...) as they came.
///
/// Read from a partition's grids file (a GeoPackage or its PostGIS tables); community names,
/// streets and units come from the district when one is given, and are empty otherwise.
public struct GridRegister: Sendable {
    /// The language of the sheets' names and column headers.
    public enum Language: String, CaseIterable, Sendable {
        case zh, en
    }

    public struct GridRow: Sendable, Hashable {
        public var code: String
        public var sequence: Int?
        public var community: CommunityInfo
        public var kind: String
        public var households: Int64?
        public var buildings: Int64?
        public var units: Int?
        public var shops: Int64?
        public var roadMetres: Double?
        public var areaSquareMetres: Double?
        /// The office's fields (`office_code` first), in the file's order.
        public var office: [FieldValue]
    }

    public struct MicroGridRow: Sendable, Hashable {
        public var code: String
        public var sequence: Int?
        public var gridCode: String
        public var gridSequence: Int?
        public var community: CommunityInfo
        public var households: Int64?
        public var buildings: Int64?
        public var units: Int?
        public var areaSquareMetres: Double?
    }

    public struct BuildingRow: Sendable, Hashable {
        public var buildingID: String
        public var gridCode: String
        public var microGridCode: String
        public var community: CommunityInfo
        public var households: Int64?
        public var units: Int?
    }

    /// A community as the register shows it: its code always, its name and street when the
    /// district says them.
    public struct CommunityInfo: Sendable, Hashable {
        public var code: String
        public var name: String?
        public var streetCode: String?
        public var streetName: String?
    }

    public var grids: [GridRow] = []
    public var microGrids: [MicroGridRow] = []
    public var buildings: [BuildingRow] = []
    /// The office's fields of an imported grids file (`office_code` and what followed it).
    public var officeFields: [FieldDefinition] = []

    /// Reads the register of the grids file at `path`.
    /// - Parameter district: the district the grids were made from, for community names,
    ///   streets and units; nil leaves them empty.
    /// - Throws: `GridLookupError` naming the file, layer and feature when it cannot be read;
    ///   `ProjectionError` for a CRS PROJ does not know.
    public static func read(grids path: String, district: District?) throws -> GridRegister {
        let source = try GridsSource.open(path)
        let shown = DatabaseConnection.displayName(path)
        func layer(_ name: String) throws -> Layer? {
            guard source.layerNames.contains(name) else { return nil }
            do {
                return try source.readLayer(name)
            } catch {
                throw GridLookupError(.unreadable, file: shown, layer: name, featureID: error.featureID, field: error.field, message: error.message)
            }
        }
        guard let gridLayer = try layer(PartitionSchema.Grids.layer) else {
            throw GridLookupError(.missingLayer, file: shown, layer: PartitionSchema.Grids.layer,
                                  message: "no layer named grids: give a file written by `gridweave partition` or `import-grids`")
        }
        let communities = Dictionary((district?.communities ?? []).map { ($0.code, $0) }) { first, _ in first }
        let units = district.map { Dictionary($0.buildings.map { ($0.id, $0.units ?? 1) }) { first, _ in first } }
        let assignments = try layer(PartitionSchema.BuildingAssignments.layer)?.features ?? []
        let measure = try AreaMeasure(layer: gridLayer)
        let unitsIn = units.map { Self.unitsByCode(assignments, units: $0) }

        var register = GridRegister()
        register.officeFields = Self.officeFields(of: gridLayer)
        func info(_ code: String) -> CommunityInfo {
            let community = communities[code]
            return CommunityInfo(code: code, name: community?.name, streetCode: community?.streetCode, streetName: community?.streetName)
        }
        let field = PartitionSchema.Grids.self
        var communityOfGrid: [String: String] = [:]
        for feature in gridLayer.features {
            guard let code = feature[field.code].codeText else { continue }
            let community = feature[field.communityCode].codeText ?? field.impliedCommunityCode(ofGrid: code)
            communityOfGrid[code] = community
            register.grids.append(GridRow(
                code: code, sequence: GridCode(code)?.sequence, community: info(community), kind: feature[field.kind].codeText ?? "",
                households: feature[field.households].int64, buildings: feature[field.buildings].int64,
                units: unitsIn.map { $0.grids[code] ?? 0 },
                shops: feature[field.shops].int64, roadMetres: feature[field.roadMetres].double,
                areaSquareMetres: try measure.squareMetres(feature.geometry),
                office: register.officeFields.map { feature[$0.name] }))
        }
        if let microLayer = try layer(PartitionSchema.MicroGrids.layer) {
            let micro = PartitionSchema.MicroGrids.self
            for feature in microLayer.features {
                guard let code = feature[micro.code].codeText else { continue }
                let grid = feature[micro.gridCode].codeText ?? micro.impliedGridCode(ofMicroGrid: code)
                register.microGrids.append(MicroGridRow(
                    code: code, sequence: MicroGridCode(code)?.sequence, gridCode: grid, gridSequence: GridCode(grid)?.sequence,
                    community: info(communityOfGrid[grid] ?? field.impliedCommunityCode(ofGrid: grid)),
                    households: feature[micro.households].int64, buildings: feature[micro.buildings].int64,
                    units: unitsIn.map { $0.microGrids[code] ?? 0 },
                    areaSquareMetres: try measure.squareMetres(feature.geometry)))
            }
        }
        let row = PartitionSchema.BuildingAssignments.self
        for feature in assignments {
            guard let building = feature[row.buildingID].codeText, let grid = feature[row.gridCode].codeText else { continue }
            register.buildings.append(BuildingRow(
                buildingID: building, gridCode: grid, microGridCode: feature[row.microGridCode].codeText ?? "",
                community: info(communityOfGrid[grid] ?? field.impliedCommunityCode(ofGrid: grid)),
                households: feature[row.households].int64, units: units?[building]))
        }
        return register
    }

    /// `office_code` and every field after it: what `import-grids` kept of the office's file.
    private static func officeFields(of layer: Layer) -> [FieldDefinition] {
        guard let start = layer.fields.firstIndex(where: { $0.name == PartitionSchema.ImportedGrids.officeCode }) else { return [] }
        return Array(layer.fields[start...])
    }

    /// Units of the buildings with households in each grid and micro-grid, by code (a building
    /// cut between several counts in each; one without `units` as 1).
    private static func unitsByCode(_ assignments: [Feature], units: [String: Int]) -> (grids: [String: Int], microGrids: [String: Int]) {
        let field = PartitionSchema.BuildingAssignments.self
        var grids: [String: Int] = [:], microGrids: [String: Int] = [:]
        var seen: Set<[String]> = []
        for feature in assignments {
            guard let building = feature[field.buildingID].codeText else { continue }
            for (key, isGrid) in [(field.gridCode, true), (field.microGridCode, false)] {
                guard let code = feature[key].codeText, seen.insert([key, code, building]).inserted else { continue }
                if isGrid { grids[code, default: 0] += units[building] ?? 1 } else { microGrids[code, default: 0] += units[building] ?? 1 }
            }
        }
        return (grids, microGrids)
    }
}

/// Areas in square metres: geometries brought from the grids' CRS into the metric working CRS
/// of their centre (as the partition measures), rounded to 0.1 m².
private struct AreaMeasure {
    let transformer: CoordinateTransformer?

    init(layer: Layer) throws {
        guard let epsg = layer.srs?.epsgCode.map(Int.init), let center = layer.extent?.center else {
            transformer = nil
            return
        }
        let lonLat = epsg == 4326 ? center : try CoordinateTransformer(from: epsg, to: 4326).transform(center)
        let working = WorkingCRS.epsg(forLongitude: lonLat.x, latitude: lonLat.y)
        transformer = working == epsg ? nil : try CoordinateTransformer(from: epsg, to: working)
    }

    func squareMetres(_ geometry: Geometry?) throws -> Double? {
        guard let geometry, !geometry.isEmpty else { return nil }
        let metric = try transformer?.transform(geometry) ?? geometry
        return (try metric.area() * 10).rounded() / 10
    }
}
