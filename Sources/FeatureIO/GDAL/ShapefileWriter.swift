import CGDAL
import Foundation
import GeometryEngine

/// Writes layers as a folder of ESRI Shapefiles through GDAL: one `<layer>.shp` (a `.dbf` alone
/// for a layer without geometry) with its `.shx`, `.prj` and `.cpg`, for the GIS of offices
/// that take nothing else.
///
/// The folder is written whole or not at all: into a new folder beside it, which then takes
/// its place. A previous output there is moved aside first and removed last, so an
/// interrupted run leaves it intact (at worst under the name `.<folder>.previous-<uuid>` beside
/// it, if the run stops between the two renames). A folder holding anything but Shapefile
/// files of these layers is refused, never replaced.
public enum ShapefileWriter {
    /// The longest field name a DBF holds, in bytes.
    public static let maximumFieldNameLength = 10
    /// The longest text value a DBF field holds, in bytes.
    public static let maximumTextLength = 254

    /// Writes `layers` into the folder `path`.
    /// - Parameters:
    ///   - encoding: of the DBFs' text, written in each `.cpg` (UTF-8 unless an older GIS needs GBK).
    ///   - fieldName: the Shapefile's name of each field (at most 10 bytes): the caller's one
    ///     table, so that the same field has the same name in every layer and every run.
    /// - Throws: `FeatureIOError`: `.invalidLayer` for a field name longer than 10 bytes;
    ///   `.invalidValue` naming the layer, feature and field for text the encoding cannot hold
    ///   or longer than 254 bytes; `.write` when the folder cannot be written or replaced.
    public static func write(_ layers: [Layer], toFolder path: String, encoding: TextEncoding = .utf8,
                             fieldName: (String) -> String = { $0 }) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        try checkOutputFolder(path, layers: layers.map(\.name))
        let temporary = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent(".\(name).partial-\(UUID().uuidString)")
        do {
            try withGDALMessages {
                let dataset = try GDALOutputDataset(folder: temporary)
                for layer in layers {
                    do {
                        try dataset.add(layer, encoding: encoding, fieldName: fieldName)
                    } catch let error as FeatureIOError {
                        throw error.located(layer: layer.name)
                    }
                }
                try dataset.close()
            }
            try moveIntoPlace(temporary, path)
        } catch let error as FeatureIOError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error.located(file: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw FeatureIOError(.write, "\(error)", file: path)
        }
    }

    /// The files a Shapefile of `layer` consists of.
    static func files(of layer: String) -> [String] {
        ["shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx"].map { "\(layer).\($0)" }
    }

    /// Refuses a path that `write` would refuse: anything but nothing, an empty folder, or a
    /// folder of these layers' Shapefiles (call it before long work, so that it fails first).
    public static func checkOutputFolder(_ path: String, layers: [String]) throws {
        guard let kind = FileCheck.kind(of: path, followingLinks: false) else { return }
        guard kind == .directory else {
            throw FeatureIOError(.write, "is \(kind), not a folder: a Shapefile output is a folder", file: path)
        }
        let ours = Set(layers.flatMap(files(of:)))
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if let other = contents.sorted().first(where: { !ours.contains($0) }) {
            throw FeatureIOError(.write, "the folder holds \(InputExcerpt.of(other)), which is not part of a partition's Shapefiles; give a new or empty folder", file: path)
        }
    }

    private static func moveIntoPlace(_ temporary: String, _ path: String) throws {
        let aside = ((path as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent(".\((path as NSString).lastPathComponent).previous-\(UUID().uuidString)")
        let replacing = FileCheck.kind(of: path, followingLinks: false) != nil
        // rename(2) returns 0, or -1 with errno.
        if replacing, rename(path, aside) != 0 {
            throw FeatureIOError(.write, "cannot move the previous output aside: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            if replacing { _ = rename(aside, path) }
            throw FeatureIOError(.write, "cannot move the finished folder into place: \(reason)")
        }
        if replacing { try? FileManager.default.removeItem(atPath: aside) }
    }
}

/// A folder of Shapefiles being written (`GDALDatasetH` from `GDALCreate`), owned: closed once,
/// by `close()` (which flushes and so can fail) or else in deinit.
private final class GDALOutputDataset {
    private var handle: GDALDatasetH?

    init(folder: String) throws {
        // GDALGetDriverByName returns a borrowed driver, NULL when GDAL was built without it.
        guard let driver = GDALGetDriverByName(ShapefileWriter.driverName) else {
            throw FeatureIOError(.unsupported, "this GDAL has no ESRI Shapefile driver")
        }
        // GDALCreate returns a new dataset (here a folder it creates), NULL on failure.
        guard let created = GDALCreate(driver, folder, 0, 0, 0, GDT_Unknown, nil) else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the folder"))
        }
        handle = created
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
            throw FeatureIOError(.write, "GDAL could not finish the files: \(InputExcerpt.of(failure, limit: 300))")
        }
    }

    func add(_ layer: Layer, encoding: TextEncoding, fieldName: (String) -> String) throws {
        guard let handle else { return }
        guard let encoder = TextEncoder(encoding) else {
            throw FeatureIOError(.unsupported, "no converter to \(encoding) on this machine")
        }
        let names = layer.fields.map { fieldName($0.name) }
        for (field, shapefileName) in zip(layer.fields, names) where shapefileName.utf8.count > ShapefileWriter.maximumFieldNameLength {
            throw FeatureIOError(.invalidLayer, "a Shapefile field name has at most 10 bytes: \(InputExcerpt.of(shapefileName)) is longer",
                                 field: field.name)
        }
        let widths = try textWidths(layer, encoder: encoder)
        let srs = try layer.srs.flatMap(Self.spatialReference)
        let options = ["ENCODING=\(encoding.name)"]
        // GDALDatasetCreateLayer returns a layer the dataset owns, NULL on failure.
        let created = withCSLConstList(options) { GDALDatasetCreateLayer(handle, layer.name, srs?.handle, Self.geometryType(layer), $0) }
        guard let output = created else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the layer"))
        }
        for (index, field) in layer.fields.enumerated() {
            try Self.createField(names[index], field.type, width: widths[index], in: output)
        }
        // OGR_L_GetLayerDefn returns the layer's borrowed definition (never NULL for a layer GDAL made).
        guard let definition = OGR_L_GetLayerDefn(output) else { throw FeatureIOError(.write, "the layer has no definition") }
        for (row, feature) in layer.features.enumerated() {
            do {
                try write(feature, fields: layer.fields, into: output, definition: definition)
            } catch let error as FeatureIOError {
                throw error.located(featureID: feature.fid.map { "fid \($0)" }, row: feature.fid == nil ? row : nil)
            }
        }
    }

    /// The width of each text field: its longest value in bytes of the encoding (at least 1);
    /// 0 for other fields. Throws for text the encoding cannot hold or a DBF cannot.
    private func textWidths(_ layer: Layer, encoder: TextEncoder) throws -> [Int] {
        try layer.fields.map { field in
            guard field.type == .text else { return 0 }
            var width = 1
            for (row, feature) in layer.features.enumerated() {
                guard case .text(let text) = feature[field.name] else { continue }
                let located = { (message: String) in
                    FeatureIOError(.invalidValue, message, featureID: feature.fid.map { "fid \($0)" }, field: field.name,
                                   row: feature.fid == nil ? row : nil)
                }
                guard let count = encoder.byteCount(text) else {
                    throw located("\(InputExcerpt.of(text)) cannot be written in \(encoder.encoding); write UTF-8 (the default) or GB18030")
                }
                guard count <= ShapefileWriter.maximumTextLength else {
                    throw located("the text is \(count) bytes, more than the 254 a Shapefile's DBF field holds")
                }
                width = max(width, count)
            }
            return width
        }
    }

    private static func createField(_ name: String, _ type: FieldType, width: Int, in layer: OGRLayerH) throws {
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
        if type == .text { OGR_Fld_SetWidth(field, Int32(width)) }
        // OGR_L_CreateField returns OGRERR_NONE on success; strict (last argument 0): no laundering.
        guard OGR_L_CreateField(layer, field, 0) == OGRERR_NONE else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot create the field"), field: name)
        }
    }

    private func write(_ feature: Feature, fields: [FieldDefinition], into layer: OGRLayerH, definition: OGRFeatureDefnH) throws {
        // OGR_F_Create returns a new feature we own (GDALFeatureHandle destroys it).
        guard let created = OGR_F_Create(definition) else { throw FeatureIOError(.write, "cannot create a feature") }
        let output = GDALFeatureHandle(created)
        for (index, field) in fields.enumerated() {
            let position = Int32(index)
            // The setters return nothing; a NULL field is left unset, which the DBF writes as NULL.
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

    private static func geometryType(_ layer: Layer) -> OGRwkbGeometryType {
        switch layer.geometryType?.uppercased() {
        case nil: wkbNone
        case "POINT", "MULTIPOINT": wkbPoint
        case "LINESTRING", "MULTILINESTRING": wkbLineString
        default: wkbPolygon
        }
    }

    /// The layer's CRS for the `.prj`, owned; nil for an undefined one.
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
}

extension ShapefileWriter {
    static let driverName = GDALReader.shapefileDriver
}
