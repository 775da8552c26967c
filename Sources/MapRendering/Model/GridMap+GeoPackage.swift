import FeatureIO
import GeometryEngine
import GridSchema
import Projections

extension GridMap {
    /// Reads the `grids` layer (and `microgrids` when there is one) of a partition GeoPackage
    /// that follows data.md, into the metric working CRS of its data.
    ///
    /// Grids need only a polygonal geometry and a `code`; `community_code`, `kind` and
    /// `households` are used when present (a grid drawn by hand may have none of them).
    /// - Throws: `MapRenderingError` naming the file, layer and feature.
    public init(contentsOf path: String, bounds: HouseholdBounds = HouseholdBounds()) throws {
        let reader: GeoPackageReader
        do {
            reader = try GeoPackageReader(path: path)
        } catch {
            throw MapRenderingError("cannot read the grids file: \(error)", file: path)
        }
        let field = PartitionSchema.Grids.self
        guard reader.layerNames.contains(field.layer) else {
            throw MapRenderingError("no layer named grids (it has \(reader.layerNames.joined(separator: ", ")))", file: path, layer: field.layer)
        }
        do {
            let gridLayer = try reader.readLayer(field.layer)
            guard let source = gridLayer.srs?.epsgCode.map(Int.init) else {
                throw MapRenderingError("the layer has no EPSG CRS", file: path, layer: field.layer)
            }
            let epsg = try MetricCRS.epsg(forSource: source, extent: gridLayer.extent)
            let toGrids = try CoordinateTransformer(from: source, to: epsg)
            let ours = Set(PartitionSchema.ImportedGrids.fields.map(\.name))
            let officeFieldNames = gridLayer.fields.map(\.name).filter { !ours.contains($0) }
            var grids: [Grid] = []
            for (row, feature) in gridLayer.features.enumerated() {
                let (id, code) = try Self.identify(feature, row: row, as: "grid", codeField: field.code, layer: field.layer, path: path)
                guard let geometry = feature.geometry, !geometry.polygons.isEmpty else {
                    throw MapRenderingError("grid \(code) has no polygon", file: path, layer: field.layer, featureID: id)
                }
                grids.append(Grid(code: code, communityCode: Self.text(feature[field.communityCode]) ?? field.impliedCommunityCode(ofGrid: code),
                                  kind: Self.text(feature[field.kind]) ?? "", households: feature[field.households].int64.map { Int($0) },
                                  geometry: try toGrids.transform(geometry),
                                  officeFields: officeFieldNames.compactMap { name in
                                      Self.text(feature[name]).map { OfficeField(name: name, value: $0) }
                                  }))
            }
            let micros = try Self.microGrids(in: reader, path: path, source: source, epsg: epsg)
            self.init(epsg: epsg, grids: grids, microGrids: micros, bounds: bounds)
            buildingAssignments = try Self.buildingAssignments(in: reader)
        } catch let error as MapRenderingError {
            throw error
        } catch {
            throw MapRenderingError("\(error)", file: path)
        }
    }

    /// The `microgrids` layer in the CRS `epsg` (empty when the file has none); micro-grids
    /// without a polygon are left out.
    private static func microGrids(in reader: GeoPackageReader, path: String, source: Int, epsg: Int) throws -> [MicroGrid] {
        let field = PartitionSchema.MicroGrids.self
        guard reader.layerNames.contains(field.layer) else { return [] }
        let layer = try reader.readLayer(field.layer)
        let microSource = layer.srs?.epsgCode.map(Int.init) ?? source
        let toMicro = try CoordinateTransformer(from: microSource, to: epsg)
        var micros: [MicroGrid] = []
        for (row, feature) in layer.features.enumerated() {
            let code = try identify(feature, row: row, as: "micro-grid", codeField: field.code, layer: field.layer, path: path).code
            guard let geometry = feature.geometry, !geometry.polygons.isEmpty else { continue }
            micros.append(MicroGrid(code: code, gridCode: Self.text(feature[field.gridCode]) ?? field.impliedGridCode(ofMicroGrid: code),
                                    households: feature[field.households].int64.map { Int($0) },
                                    geometry: try toMicro.transform(geometry)))
        }
        return micros
    }

    /// The rows of `building_assignments` with a building and a grid, or nil without the layer.
    private static func buildingAssignments(in reader: GeoPackageReader) throws -> [BuildingAssignment]? {
        let field = PartitionSchema.BuildingAssignments.self
        guard reader.layerNames.contains(field.layer) else { return nil }
        return try reader.readLayer(field.layer).features.compactMap { row in
            guard let building = text(row[field.buildingID]), let grid = text(row[field.gridCode]) else { return nil }
            return BuildingAssignment(buildingID: building, gridCode: grid, microGridCode: text(row[field.microGridCode]),
                                      households: row[field.households].int64.map { Int($0) } ?? 0)
        }
    }

    /// A row's feature id (its index when it has none) and code; a row without a code is an
    /// error naming it.
    private static func identify(_ feature: Feature, row: Int, as what: String, codeField: String, layer: String,
                                 path: String) throws -> (id: String, code: String) {
        let id = feature.fid.map(String.init) ?? "at index \(row)"
        guard let code = text(feature[codeField]) else {
            throw MapRenderingError("the \(what) has no code", file: path, layer: layer, featureID: id)
        }
        return (id, code)
    }

    /// A text field's value; an integer is read as its digits (codes written as numbers).
    static func text(_ value: FieldValue) -> String? {
        switch value {
        case .text(let s): s.isEmpty ? nil : s
        case .integer(let i): String(i)
        case .real(let r): r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
        default: nil
        }
    }
}
