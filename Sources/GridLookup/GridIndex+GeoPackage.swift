import FeatureIO
import Foundation
import GeometryEngine
import GridSchema
import Projections

extension GridIndex {
    /// The layer of grids in a partition GeoPackage (data.md, "Output: a partition").
    public static let gridsLayer = PartitionSchema.Grids.layer
    /// The layer of micro-grids; a file without it gives grids without micro-grids.
    public static let microGridsLayer = PartitionSchema.MicroGrids.layer

    /// Loads the grids (and micro-grids) of a partition GeoPackage and builds the index.
    ///
    /// `path` may also name a PostGIS database (`PG:"host=... dbname=..."`, as `gridweave
    /// partition -o PG:...` writes) or another file GDAL reads, holding the same layers; their
    /// index is always built (only a GeoPackage stores one).
    ///
    /// Reads any GeoPackage that follows data.md, not only the engine's own: grids may be
    /// Polygons or MultiPolygons; `community_code` defaults to the first 12 digits of a 15-digit
    /// grid `code`, `kind` to empty; a missing `microgrids` layer gives grids without
    /// micro-grids; a micro-grid without `grid_code` belongs to the grid whose code begins its
    /// own 17-digit code. Micro-grids in another CRS than the grids are transformed to theirs.
    ///
    /// - Throws: `GridLookupError` naming the file, layer, feature and field: no such file, not a
    ///   GeoPackage, no `grids` layer, no `code` field or an empty code, a geometry that is not
    ///   polygonal or has a coordinate that is not a finite number, a duplicate grid code, or a
    ///   CRS that PROJ does not know.
    ///
    /// When the file holds a stored index (`storedIndexTable`, written by `gridweave partition`)
    /// built from exactly the grids and micro-grids it holds now, in this format, the index is
    /// read from it instead of built (`provenance` says which, and why not). A stored index that
    /// does not match (the file was edited after partition), of another version, truncated or
    /// damaged is never used: the index is built from the geometries.
    ///
    /// - Parameters:
    ///   - cellsPerEdge: the lattice's density; a stored index is used only when this is nil.
    ///   - concurrently: whether a build uses two threads.
    ///   - useStored: false to build even when a stored index matches.
    public convenience init(contentsOf path: String, cellsPerEdge: Double? = nil, concurrently: Bool = true,
                            useStored: Bool = true) throws {
        let loadStarted = monotonicSeconds()
        let isConnection = DatabaseConnection.isConnection(path)
        // Before any open: the stored index is read through SQLite directly, and opening a FIFO
        // (or a device) would wait forever.
        if !isConnection, FileCheck.kind(of: path) != nil {  // a missing file: the reader's own error names it
            do {
                try FileCheck.inputFile(path)
            } catch {
                throw GridLookupError(.unreadable, file: path, message: error.message)
            }
        }
        var reason: String?
        if isConnection {
            reason = "a database holds no stored index"
        } else if useStored, cellsPerEdge == nil {
            switch Self.readStored(path, loadStarted: loadStarted) {
            case .success(let stored):
                self.init(sharing: stored)
                return
            case .failure(let refusal):
                reason = refusal.description
            }
        } else {
            reason = useStored ? "a lattice density was asked for" : "asked to build"
        }
        let reader = try GridsSource.open(path)
        // Messages name a database by its connection without the password.
        let path = DatabaseConnection.displayName(path)
        guard reader.layerNames.contains(Self.gridsLayer) else {
            let known = reader.layerNames.isEmpty ? "it has none" : "it has \(reader.layerNames.joined(separator: ", "))"
            throw GridLookupError(.missingLayer, file: path, layer: Self.gridsLayer,
                                  message: "no layer named grids (\(known)): is this a partition written by `gridweave partition`?")
        }
        let gridLayer = try Self.read(Self.gridsLayer, from: reader, path: path)
        let gridField = PartitionSchema.Grids.self
        try Self.require(gridField.code, in: gridLayer, path: path)
        let epsg = gridLayer.srs?.epsgCode.map(Int.init)

        var grids: [Grid] = []
        var gridGeometries: [Geometry] = []
        var seen: [String: Int64?] = [:]
        for (row, feature) in gridLayer.features.enumerated() {
            let id = feature.fid.map(String.init) ?? "at index \(row)"
            guard let code = feature[gridField.code].codeText else {
                throw GridLookupError(.missingValue, file: path, layer: Self.gridsLayer, featureID: id, field: gridField.code,
                                      message: "the grid has no code")
            }
            if let other = seen[code] {
                throw GridLookupError(.duplicateCode, file: path, layer: Self.gridsLayer, featureID: id, field: gridField.code,
                                      message: "code \(code) is also the code of feature \(other.map(String.init) ?? "?")")
            }
            seen[code] = feature.fid
            let geometry = try Self.polygonal(feature, row: row, layer: Self.gridsLayer, path: path)
            let community = feature[gridField.communityCode].codeText ?? gridField.impliedCommunityCode(ofGrid: code)
            grids.append(Grid(code: code, communityCode: community, kind: feature[gridField.kind].codeText ?? ""))
            gridGeometries.append(geometry)
        }

        var microGrids: [MicroGrid] = []
        var microGeometries: [Geometry] = []
        if reader.layerNames.contains(Self.microGridsLayer) {
            let microLayer = try Self.read(Self.microGridsLayer, from: reader, path: path)
            let microField = PartitionSchema.MicroGrids.self
            try Self.require(microField.code, in: microLayer, path: path)
            let microEPSG = microLayer.srs?.epsgCode.map(Int.init)
            let transformer = try Self.transformer(from: microEPSG, to: epsg, path: path)
            for (row, feature) in microLayer.features.enumerated() {
                let id = feature.fid.map(String.init) ?? "at index \(row)"
                guard let code = feature[microField.code].codeText else {
                    throw GridLookupError(.missingValue, file: path, layer: Self.microGridsLayer, featureID: id,
                                          field: microField.code, message: "the micro-grid has no code")
                }
                var geometry = try Self.polygonal(feature, row: row, layer: Self.microGridsLayer, path: path)
                if let transformer {
                    do {
                        geometry = try transformer.transform(geometry)
                    } catch {
                        throw GridLookupError(.unknownCRS, file: path, layer: Self.microGridsLayer, featureID: id,
                                              message: "cannot be brought into the grids' CRS: \(error)")
                    }
                    try Self.requireFinite(geometry, featureID: id, layer: Self.microGridsLayer, path: path)
                }
                let gridCode = feature[microField.gridCode].codeText ?? microField.impliedGridCode(ofMicroGrid: code)
                microGrids.append(MicroGrid(code: code, gridCode: gridCode))
                microGeometries.append(geometry)
            }
        }
        do {
            try self.init(grids: grids, gridGeometries: gridGeometries, microGrids: microGrids,
                          microGridGeometries: microGeometries, epsg: epsg,
                          lattice: .automatic(cellsPerEdge: cellsPerEdge ?? Self.defaultCellsPerEdge),
                          concurrently: concurrently, loadStarted: loadStarted, reason: reason)
        } catch let error as ProjectionError {
            throw GridLookupError(.unknownCRS, file: path, layer: Self.gridsLayer, message: "\(error)")
        }
    }

    private static func read(_ name: String, from reader: GridsSource, path: String) throws -> Layer {
        do {
            return try reader.readLayer(name)
        } catch {
            throw GridLookupError(unreadable: error, file: path, layer: name)
        }
    }

    private static func require(_ field: String, in layer: Layer, path: String) throws {
        guard layer.field(named: field) == nil else { return }
        let fields = layer.fields.map(\.name)
        throw GridLookupError(.missingField, file: path, layer: layer.name, field: field,
                              message: "the layer has no field \(field) (it has \(fields.isEmpty ? "none" : fields.joined(separator: ", ")))")
    }

    /// A feature's geometry when it is polygonal (or absent: an empty grid, never answered).
    private static func polygonal(_ feature: Feature, row: Int, layer: String, path: String) throws -> Geometry {
        guard let geometry = feature.geometry, !geometry.isEmpty else { return .empty }
        guard geometry.dimension == 2 else {
            throw GridLookupError(.invalidGeometry, file: path, layer: layer,
                                  featureID: feature.fid.map(String.init) ?? "at index \(row)",
                                  message: "a \(geometry.typeName) is not an area: grids are Polygons or MultiPolygons")
        }
        try requireFinite(geometry, featureID: feature.fid.map(String.init) ?? "at index \(row)", layer: layer, path: path)
        return geometry
    }

    /// A coordinate that is NaN or infinite has no place on the lattice: the file is corrupt.
    private static func requireFinite(_ geometry: Geometry, featureID: String, layer: String, path: String) throws {
        guard let bad = geometry.coordinates.first(where: { !$0.x.isFinite || !$0.y.isFinite }) else { return }
        throw GridLookupError(.invalidGeometry, file: path, layer: layer, featureID: featureID,
                              message: "coordinate (\(bad.x), \(bad.y)) is not a finite number: the file is damaged")
    }

    private static func transformer(from source: Int?, to target: Int?, path: String) throws -> CoordinateTransformer? {
        guard let source, let target, source != target else { return nil }
        do {
            return try CoordinateTransformer(from: source, to: target)
        } catch {
            throw GridLookupError(.unknownCRS, file: path, layer: microGridsLayer, message: "\(error)")
        }
    }
}

extension GridLookupError {
    /// The lookup's error for a file FeatureIO could not read, keeping its location.
    init(unreadable error: FeatureIOError, file: String, layer: String? = nil) {
        let kind: Kind = error.kind == .fileNotFound ? .missingFile : .unreadable
        self.init(kind, file: error.file ?? file, layer: error.layer ?? layer,
                  featureID: error.featureID ?? error.row.map { "at index \($0)" }, field: error.field,
                  message: error.message)
    }
}
