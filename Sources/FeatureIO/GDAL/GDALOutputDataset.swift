import CGDAL
import Foundation
import GeometryEngine

/// A dataset being written through GDAL (`GDALDatasetH`, from `GDALCreate` or an update-mode
/// `GDALOpenEx`), owned: closed once, by `close()` (which flushes and so can fail) or else in
/// deinit. What every writer through GDAL shares: layers, fields and features from our model.
final class GDALOutputDataset {
    private(set) var handle: GDALDatasetH?

    /// Takes ownership of `handle`.
    init(owning handle: GDALDatasetH) {
        self.handle = handle
    }

    /// Creates a new dataset at `path` with the driver `driverName` (a folder of Shapefiles).
    convenience init(creating path: String, driver driverName: String) throws {
        // GDALGetDriverByName returns a borrowed driver, NULL when GDAL was built without it.
        guard let driver = GDALGetDriverByName(driverName) else {
            throw FeatureIOError(.unsupported, "this GDAL has no \(driverName) driver")
        }
        // GDALCreate returns a new dataset, NULL on failure.
        guard let created = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, nil) else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the output"))
        }
        self.init(owning: created)
    }

    deinit {
        if let handle { GDALClose(handle) }
    }

    /// Flushes and closes; GDALClose returns nothing, so a failure shows in GDAL's last error.
    func close() throws {
        guard let handle else { return }
        self.handle = nil
        GDALClose(handle)
        if let failure = GDALMessages.lastFailure() {
            throw FeatureIOError(.write, "GDAL could not finish writing: \(InputExcerpt.of(failure, limit: 300))")
        }
    }

    /// A new layer for `layer` (its name, CRS and geometry type), without fields or features.
    func createLayer(_ layer: Layer, geometryType: OGRwkbGeometryType, options: [String]) throws -> OGRLayerH {
        guard let handle else { throw FeatureIOError(.write, "the dataset is closed") }
        let srs = try layer.srs.flatMap(Self.spatialReference)
        // GDALDatasetCreateLayer returns a layer the dataset owns, NULL on failure.
        let created = withCSLConstList(options) { GDALDatasetCreateLayer(handle, layer.name, srs?.handle, geometryType, $0) }
        guard let created else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the layer"))
        }
        return created
    }

    /// Adds field `name` of `type` to `layer`; `width` bytes for text (0: unbounded).
    static func createField(_ name: String, _ type: FieldType, width: Int = 0, in layer: OGRLayerH) throws {
        let gdalType: OGRFieldType = switch type {
        case .integer: OFTInteger64
        case .real: OFTReal
        case .text: OFTString
        case .blob: OFTBinary
        }
        // OGR_Fld_Create returns a new definition we own; OGR_L_CreateField copies it.
        guard let field = OGR_Fld_Create(name, gdalType) else {
            throw FeatureIOError(.write, "cannot define the field", field: name)
        }
        defer { OGR_Fld_Destroy(field) }
        if type == .text, width > 0 { OGR_Fld_SetWidth(field, Int32(width)) }
        // OGR_L_CreateField returns OGRERR_NONE on success; strict (last argument 0): no laundering.
        guard OGR_L_CreateField(layer, field, 0) == OGRERR_NONE else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the field"), field: name)
        }
    }

    /// Writes every feature of `layer` into `output`, whose fields are `layer.fields` in order;
    /// with `keepingFIDs`, each with its fid when it has one. Errors name the feature.
    static func writeFeatures(of layer: Layer, into output: OGRLayerH, keepingFIDs: Bool = false) throws {
        // OGR_L_GetLayerDefn returns the layer's borrowed definition (never NULL for a layer GDAL made).
        guard let definition = OGR_L_GetLayerDefn(output) else { throw FeatureIOError(.write, "the layer has no definition") }
        for (row, feature) in layer.features.enumerated() {
            do {
                try write(feature, fields: layer.fields, into: output, definition: definition, keepingFID: keepingFIDs)
            } catch let error as FeatureIOError {
                throw error.located(featureID: feature.fid.map { "fid \($0)" }, row: feature.fid == nil ? row : nil)
            }
        }
    }

    private static func write(_ feature: Feature, fields: [FieldDefinition], into layer: OGRLayerH, definition: OGRFeatureDefnH,
                              keepingFID: Bool) throws {
        // OGR_F_Create returns a new feature we own (GDALFeatureHandle destroys it).
        guard let created = OGR_F_Create(definition) else { throw FeatureIOError(.write, "cannot create a feature") }
        let output = GDALFeatureHandle(created)
        // OGR_F_SetFID returns OGRERR_NONE (it only stores the number).
        if keepingFID, let fid = feature.fid { _ = OGR_F_SetFID(output.handle, GIntBig(fid)) }
        for (index, field) in fields.enumerated() {
            let position = Int32(index)
            // The setters return nothing; a NULL field is left unset, which the drivers write as NULL.
            switch feature[field.name] {
            case .null: continue
            case .integer(let value): OGR_F_SetFieldInteger64(output.handle, position, GIntBig(value))
            case .real(let value): OGR_F_SetFieldDouble(output.handle, position, value)
            case .text(let text): OGR_F_SetFieldString(output.handle, position, text)
            case .blob(let bytes): bytes.withUnsafeBytes { OGR_F_SetFieldBinary(output.handle, position, Int32($0.count), $0.baseAddress) }
            }
        }
        if let geometry = feature.geometry {
            let wkb = WKB.encode(geometry)
            var created: OGRGeometryH?
            // OGR_G_CreateFromWkb returns OGRERR_NONE and a new geometry we own in the out parameter.
            guard wkb.withUnsafeBytes({ OGR_G_CreateFromWkb($0.baseAddress, nil, &created, Int32($0.count)) }) == OGRERR_NONE,
                  let created else {
                throw FeatureIOError(.invalidGeometry, GDALMessages.describe("GDAL cannot read the geometry's WKB"))
            }
            // OGR_F_SetGeometryDirectly takes ownership of the geometry, even when it fails.
            guard OGR_F_SetGeometryDirectly(output.handle, created) == OGRERR_NONE else {
                throw FeatureIOError(.invalidGeometry, GDALMessages.describe("the geometry does not fit the layer"))
            }
        }
        // OGR_L_CreateFeature returns OGRERR_NONE once the feature is written; it copies it.
        guard OGR_L_CreateFeature(layer, output.handle) == OGRERR_NONE else {
            throw FeatureIOError(.write, GDALMessages.describe("GDAL cannot write the feature"))
        }
    }

    /// The layer's CRS as GDAL's, owned; nil for an undefined one.
    private static func spatialReference(_ srs: SpatialReference) throws -> GDALSpatialReferenceHandle? {
        guard !srs.isUndefined else { return nil }
        // OSRNewSpatialReference returns a new, empty CRS we own (NULL only when out of memory).
        guard let created = OSRNewSpatialReference(nil) else { throw FeatureIOError(.write, "out of memory") }
        let reference = GDALSpatialReferenceHandle(created)
        // OSRSetFromUserInput returns OGRERR_NONE when it understood the definition.
        let definition = srs.epsgCode.map { "EPSG:\($0)" } ?? srs.definition
        guard OSRSetFromUserInput(reference.handle, definition) == OGRERR_NONE else {
            throw FeatureIOError(.write, GDALMessages.describe("GDAL cannot read the CRS \(InputExcerpt.of(srs.name))"))
        }
        return reference
    }

    /// The OGR geometry type of a layer's GeoPackage type name, exactly (Z and M are not written).
    static func exactGeometryType(_ layer: Layer) -> OGRwkbGeometryType {
        switch layer.geometryType?.uppercased() {
        case nil: wkbNone
        case "POINT": wkbPoint
        case "LINESTRING": wkbLineString
        case "POLYGON": wkbPolygon
        case "MULTIPOINT": wkbMultiPoint
        case "MULTILINESTRING": wkbMultiLineString
        case "MULTIPOLYGON": wkbMultiPolygon
        case "GEOMETRYCOLLECTION": wkbGeometryCollection
        default: wkbUnknown
        }
    }
}

@available(*, unavailable) extension GDALOutputDataset: Sendable {}
