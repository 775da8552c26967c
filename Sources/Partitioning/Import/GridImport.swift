public import FeatureIO
import Foundation
public import GeometryEngine
import GridSchema
import Projections

/// How `GridImporter` repairs hand-drawn grids.
public struct GridImportOptions: Sendable, Hashable {
    /// Gaps and overlaps up to this wide (metres) are repaired; wider ones are problems unless `repairsAll`.
    public var toleranceMetres: Double
    /// Whether gaps and overlaps wider than the tolerance are repaired too (`--repair-all`).
    public var repairsAll: Bool
    /// The household bounds the summary checks grids against (never enforced: the office's grids stay).
    public var gridMin: Int
    public var gridMax: Int
    /// Office codes of the grids a planner locked (`--lock`): each keeps its drawn lines. It
    /// wins every overlap, is given no gap or scrap of another grid, and keeps its own scraps;
    /// it only takes in whole a building its own line cuts (a building two locked lines cut goes
    /// whole to the one holding more of it), and loses what lies outside its community.
    public var locked: Set<String>
    /// Buildings a planner pinned to a grid (`--pin`), by building id: the office code of the
    /// grid that gets the building whole where grid lines cut it, over every other rule. A pin
    /// moves a building only across a line that cuts it: the grid must be drawn over part of it.
    public var pins: [String: String]

    public init(toleranceMetres: Double = 2, repairsAll: Bool = false, gridMin: Int = 150, gridMax: Int = 250, locked: Set<String> = [],
                pins: [String: String] = [:]) {
        self.toleranceMetres = toleranceMetres
        self.repairsAll = repairsAll
        self.gridMin = gridMin
        self.gridMax = gridMax
        self.locked = locked
        self.pins = pins
    }
}

/// One change the importer made to the office's grids (a row of the `repairs` table).
public struct GridRepair: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A gap between grids (or between grids and the community's edge) given to a neighbour.
        case gap
        /// An area two grids both claimed, left to one of them.
        case overlap
        /// A part of a grid outside its community, cut off.
        case spill
        /// A detached scrap of a grid, given to the neighbour it shares most boundary with.
        case sliver
        /// A building a grid line cut through, made whole in the grid holding most of it.
        case buildingMoved = "building_moved"
        /// A part of the community in no grid, wider than the tolerance (only with `--repair-all`).
        case unassignedArea = "unassigned_area"
        /// A part of a grid that no other grid touches (in a part of the community of its own),
        /// made a grid of its own: office code `<code>#2`, the office's fields copied.
        case detachedPart = "detached_part"
    }

    public var kind: Kind
    /// The office code of the grid the area went to (a spill: the grid it was cut from).
    public var officeCode: String
    /// The office code of the grid the area was taken from; nil when none.
    public var otherOfficeCode: String?
    public var communityCode: String
    public var areaSquareMetres: Double
    public var householdsMoved: Int
    /// Wider than the tolerance: repaired because of `repairsAll`.
    public var beyondTolerance: Bool
    public var detail: String
    /// The area changed, in the district's CRS.
    public var geometry: Geometry
}

/// A grid of the import: the office's grid, repaired, with its standard code.
public struct ImportedGrid: Sendable, Hashable {
    /// The 15-digit standard code (`GridCode`).
    public var code: String
    public var communityCode: String
    public var officeCode: String
    /// Every field of the office's feature, as read.
    public var officeProperties: [String: FieldValue]
    /// In the district's CRS.
    public var geometry: Geometry
    public var households: Int
    public var buildings: Int
    /// Square metres as drawn (its part in its community) and after repair.
    public var drawnSquareMetres: Double
    public var squareMetres: Double
}

/// The result of importing hand-drawn grids: repaired grids that tile each community, and what was done.
public struct GridImport: Sendable {
    /// The district's CRS, which the output is in.
    public var epsg: Int
    /// In community code order, then standard code order.
    public var grids: [ImportedGrid]
    /// In community order, then as made.
    public var repairs: [GridRepair]
    /// The office's fields, in the file's order, and the name each has in the output (the same
    /// unless it collides with a standard field, then `office_` + name).
    public var officeFields: [(field: FieldDefinition, outputName: String)]
    public var source: String
    public var sourceLayer: String
    /// Households of the district, and of them in buildings standing in no grid (outside every community).
    public var householdsIn: Int
    public var householdsNotPlaced: Int
    /// Buildings whose households changed grid by the repairs.
    public var buildingsMoved: Int
    /// Office grids left with no area (every part of them went to others), by office code.
    public var droppedGrids: [String]
    public var seconds: Double = 0

    /// Grids with households outside the household bounds, in code order: reported, never changed.
    public func outOfBounds(_ options: GridImportOptions) -> [ImportedGrid] {
        grids.filter { $0.households > 0 && ($0.households < options.gridMin || $0.households > options.gridMax) }
    }

    /// `grids` (standard fields, `office_code`, then the office's fields) and `repairs`.
    /// - Throws: `ProjectionError` when the CRS is unknown to PROJ.
    public func layers() throws -> [Layer] {
        let crs = try CRSInfo.lookup(epsg: epsg)
        let srs = SpatialReference.epsg(Int32(epsg), name: crs.name, definition: crs.wkt)
        let field = PartitionSchema.Grids.self
        let officeFieldDefinitions = officeFields.map { FieldDefinition($0.outputName, $0.field.type) }
        // A grid left in several parts (a community in several parts) cannot go into a POLYGON layer.
        let onePart = grids.allSatisfy { if case .polygon = $0.geometry { true } else { false } }
        let gridLayer = Layer(
            name: field.layer, geometryType: onePart ? field.geometryType : "GEOMETRY", srs: srs,
            fields: PartitionSchema.ImportedGrids.fields + officeFieldDefinitions,
            features: grids.enumerated().map { index, grid in
                var properties: [String: FieldValue] = [
                    field.code: .text(grid.code), field.communityCode: .text(grid.communityCode), field.kind: .text(Grid.Kind.residential.rawValue),
                    field.households: .integer(Int64(grid.households)), field.buildings: .integer(Int64(grid.buildings)),
                    field.shops: .integer(0), field.roadMetres: .real(0),
                    PartitionSchema.ImportedGrids.officeCode: .text(grid.officeCode),
                ]
                for (office, name) in officeFields { properties[name] = grid.officeProperties[office.name] ?? .null }
                return Feature(fid: Int64(index + 1), geometry: grid.geometry, properties: properties)
            })
        let codeOf = Dictionary(grids.map { ($0.officeCode, $0.code) }, uniquingKeysWith: { first, _ in first })
        let repair = PartitionSchema.Repairs.self
        let repairLayer = Layer(
            name: repair.layer, geometryType: repair.geometryType, srs: srs, fields: repair.fields,
            features: repairs.enumerated().map { index, row in
                Feature(fid: Int64(index + 1), geometry: .multiPolygon(row.geometry.polygons), properties: [
                    repair.kind: .text(row.kind.rawValue), repair.gridCode: codeOf[row.officeCode].map { .text($0) } ?? .null,
                    repair.officeCode: .text(row.officeCode),
                    repair.otherGridCode: row.otherOfficeCode.flatMap { codeOf[$0] }.map { .text($0) } ?? .null,
                    repair.otherOfficeCode: row.otherOfficeCode.map { .text($0) } ?? .null,
                    repair.communityCode: .text(row.communityCode),
                    repair.areaSquareMetres: .real((row.areaSquareMetres * 100).rounded() / 100),
                    repair.householdsMoved: .integer(Int64(row.householdsMoved)),
                    repair.beyondTolerance: .integer(row.beyondTolerance ? 1 : 0), repair.detail: .text(row.detail),
                ])
            })
        return [gridLayer, repairLayer]
    }

    /// Writes the GeoPackage at `path` atomically (see `GeoPackageWriter`).
    public func write(to path: String) throws {
        try GeoPackageWriter.write(try layers(), to: path)
    }

    /// The output name of each office field: its own, or `office_` + it when a standard field
    /// has that name (SQLite names ignore case); the code field when named like a standard
    /// field is left out, as `office_code` holds it.
    static func outputNames(_ fields: [FieldDefinition], codeField: String) -> [(field: FieldDefinition, outputName: String)] {
        var taken = Set(PartitionSchema.ImportedGrids.fields.map { $0.name.lowercased() })
        var names: [(field: FieldDefinition, outputName: String)] = []
        for field in fields {
            var name = field.name
            if taken.contains(name.lowercased()) {
                if field.name == codeField { continue }
                name = "office_" + field.name
                var n = 2
                while taken.contains(name.lowercased()) { name = "office_\(field.name)_\(n)"; n += 1 }
            }
            taken.insert(name.lowercased())
            names.append((field, name))
        }
        return names
    }
}
