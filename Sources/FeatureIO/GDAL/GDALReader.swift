import CGDAL
import Foundation
import GeometryEngine

/// Reads the vector formats city offices hand over through GDAL/OGR: a Shapefile or a folder of
/// them, MapInfo TAB/MIF, DXF, KML, FlatGeobuf, FileGDB, a single GeoJSON file, and anything
/// else GDAL opens, into the same `Layer` and `Feature` model as `GeoPackageReader`.
///
/// Text is decoded strictly. Shapefiles are read without GDAL's own recoding (open option
/// `ENCODING=""`) and their bytes decoded here, in the encoding given to `init`, else the one
/// the layer's `.cpg` or its DBF language driver id declares, else UTF-8: a value or field name
/// that is not text in that encoding is a `.undecodableText` error naming the file, layer,
/// feature and field, never a `?` or mojibake. Other formats declare their own encoding and GDAL
/// gives UTF-8, which is checked the same way.
///
/// Not Sendable: it holds a GDAL dataset, which belongs to one thread at a time.
public final class GDALReader {
    public let path: String
    /// The GDAL driver that opened the source (`ESRI Shapefile`, `MapInfo File`, `KML`...).
    public let driverName: String
    /// The layers, in the dataset's order (a folder of Shapefiles: one per file, named by it).
    public let layerNames: [String]
    private let dataset: GDALDatasetHandle
    private let encoding: TextEncoding?

    static let shapefileDriver = "ESRI Shapefile"

    /// Opens `path` read-only; a PostGIS connection (`PG:...`, see `DatabaseConnection`) too.
    /// - Parameter encoding: the encoding of a Shapefile's DBF, over what its `.cpg` says;
    ///   formats that declare their own encoding ignore it.
    /// - Throws: `FeatureIOError`: `.fileNotFound`; `.notARegularFile` for a FIFO, a socket or a
    ///   device; `.notReadable` when no GDAL driver opens it.
    public init(path: String, encoding: TextEncoding? = nil) throws {
        if DatabaseConnection.isConnection(path) {
            let dataset = try withGDALMessages { try GDALDatasetHandle(connection: path, openOptions: PostGISWriter.listAllTables) }
            self.path = path
            self.dataset = dataset
            self.driverName = dataset.driverName
            self.encoding = nil
            self.layerNames = dataset.layers.map(\.name)
            return
        }
        try FileCheck.inputFile(path, directoryAllowed: true)
        let (dataset, driverName) = try withGDALMessages {
            let first = try GDALDatasetHandle(path: path)
            let driverName = first.driverName
            guard driverName == Self.shapefileDriver else { return (first, driverName) }
            // Again without GDAL's recoding (which turns bytes it cannot convert into `?`,
            // warning once per process), so that the bytes are decoded, and checked, here.
            return (try GDALDatasetHandle(path: path, openOptions: ["ENCODING="], drivers: [Self.shapefileDriver]), driverName)
        }
        self.path = path
        self.dataset = dataset
        self.driverName = driverName
        self.encoding = encoding
        self.layerNames = dataset.layers.map(\.name)
    }

    /// The file layer `name` is read from, for messages: a Shapefile's `.shp` in a folder, or
    /// the source itself (a connection without its password).
    public func file(ofLayer name: String) -> String {
        if DatabaseConnection.isConnection(path) { return DatabaseConnection.redacted(path) }
        guard driverName == Self.shapefileDriver, FileCheck.kind(of: path) == .directory else { return path }
        let shp = (path as NSString).appendingPathComponent(name + ".shp")
        return FileManager.default.fileExists(atPath: shp) ? shp : (path as NSString).appendingPathComponent(name + ".dbf")
    }

    /// The encoding layer `name`'s text is decoded in: for a Shapefile the one given to `init`,
    /// else its `.cpg`'s, else its DBF language driver id's (GBK ids only), else UTF-8; UTF-8
    /// for every other format.
    /// - Throws: `.undecodableText` for a `.cpg` naming an encoding iconv does not know.
    public func encoding(ofLayer name: String) throws -> TextEncoding {
        guard driverName == Self.shapefileDriver else { return .utf8 }
        if let encoding { return encoding }
        let file = file(ofLayer: name)
        let base = (file as NSString).deletingPathExtension
        for extensionName in ["cpg", "CPG"] {
            let cpg = base + "." + extensionName
            guard let data = FileManager.default.contents(atPath: cpg) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            guard let declared = TextEncoding(text) else {
                throw FeatureIOError(.undecodableText, "the .cpg names \(InputExcerpt.of(text)), an encoding this machine does not know",
                                     file: cpg, layer: name)
            }
            return declared
        }
        return Self.languageDriverEncoding(dbf: base + ".dbf") ?? .utf8
    }

    /// The encoding a DBF's language driver id (byte 29 of its header) declares, for the ids of
    /// code page 936 (GBK) only: the id GDAL writes by default, 87, means "ANSI", which says
    /// nothing useful about Chinese text.
    private static func languageDriverEncoding(dbf: String) -> TextEncoding? {
        guard let handle = FileHandle(forReadingAtPath: dbf) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 32), header.count == 32 else { return nil }
        return [0x4D, 0x7A].contains(header[header.startIndex + 29]) ? .gbk : nil
    }

    /// Reads every feature of layer `name`, in the order GDAL gives them.
    /// - Throws: `FeatureIOError`: `.layerNotFound` (listing the layers there are);
    ///   `.undecodableText` naming the feature (its GDAL fid) and field; `.invalidGeometry`;
    ///   `.notReadable` when GDAL fails part-way.
    public func readLayer(_ name: String) throws -> Layer {
        let file = file(ofLayer: name)
        do {
            guard let layer = dataset.layers.first(where: { $0.name == name }) else {
                let known = layerNames.isEmpty ? "it has none" : "it has \(InputExcerpt.of(layerNames.joined(separator: ", ")))"
                throw FeatureIOError(.layerNotFound, "no layer named \(InputExcerpt.of(name)) (\(known))")
            }
            guard let decoder = TextDecoder(try encoding(ofLayer: name)) else {
                throw FeatureIOError(.undecodableText, "no converter from \(try encoding(ofLayer: name)) on this machine")
            }
            return try withGDALMessages { try LayerReading(layer: layer, decoder: decoder).read() }
        } catch let error as FeatureIOError {
            throw error.located(file: file, layer: name)
        }
    }
}

@available(*, unavailable) extension GDALReader: Sendable {}

/// One pass over one layer.
private struct LayerReading {
    let layer: GDALLayerHandle
    let decoder: TextDecoder
    /// The field definitions in GDAL's order, with the decoded names.
    let fields: [FieldDefinition]
    let gdalTypes: [OGRFieldType]

    init(layer: GDALLayerHandle, decoder: TextDecoder) throws {
        self.layer = layer
        self.decoder = decoder
        // OGR_L_GetLayerDefn returns the layer's borrowed definition, never NULL.
        let definition = OGR_L_GetLayerDefn(layer.handle)
        var fields: [FieldDefinition] = []
        var types: [OGRFieldType] = []
        // OGR_FD_GetFieldCount returns >= 0; OGR_FD_GetFieldDefn a borrowed definition.
        for index in 0..<OGR_FD_GetFieldCount(definition) {
            guard let field = OGR_FD_GetFieldDefn(definition, index) else { continue }
            // OGR_Fld_GetNameRef returns a borrowed, never-NULL string: raw DBF bytes for a Shapefile.
            let raw = OGR_Fld_GetNameRef(field)
            guard let name = Self.decode(raw, with: decoder) else {
                let shown = InputExcerpt.of(bytes: Self.bytes(raw))
                throw FeatureIOError(.undecodableText, "field \(index + 1)'s name \(shown) is not \(decoder.encoding) text")
            }
            let type = OGR_Fld_GetType(field)
            types.append(type)
            fields.append(FieldDefinition(name, Self.fieldType(type)))
        }
        self.fields = fields
        self.gdalTypes = types
    }

    func read() throws -> Layer {
        // OGR_L_ResetReading returns nothing: the next OGR_L_GetNextFeature starts at the first.
        OGR_L_ResetReading(layer.handle)
        var features: [Feature] = []
        while let feature = layer.nextFeature() {
            features.append(try read(feature))
        }
        // GetNextFeature's NULL also ends the loop on a read error: GDAL says which.
        if let failure = GDALMessages.lastFailure() {
            throw FeatureIOError(.notReadable, "GDAL stopped reading after \(features.count) features: \(InputExcerpt.of(failure, limit: 300))")
        }
        return Layer(name: layer.name, geometryType: geometryTypeName, srs: spatialReference, fields: fields, features: features)
    }

    private func read(_ feature: GDALFeatureHandle) throws -> Feature {
        // OGR_F_GetFID returns OGRNullFID (-1) when the feature has no id.
        let rawFID = OGR_F_GetFID(feature.handle)
        let fid: Int64? = rawFID == OGRNullFID ? nil : Int64(rawFID)
        var properties: [String: FieldValue] = [:]
        properties.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            do {
                properties[field.name] = try value(of: feature, at: Int32(index))
            } catch let error as FeatureIOError {
                throw error.located(featureID: fid.map { "fid \($0)" }, field: field.name)
            }
        }
        do {
            return Feature(fid: fid, geometry: try geometry(of: feature), properties: properties)
        } catch let error as FeatureIOError {
            throw error.located(featureID: fid.map { "fid \($0)" })
        }
    }

    private func value(of feature: GDALFeatureHandle, at index: Int32) throws -> FieldValue {
        // OGR_F_IsFieldSetAndNotNull returns 0 for a field unset or NULL (a blank DBF value).
        guard OGR_F_IsFieldSetAndNotNull(feature.handle, index) != 0 else { return .null }
        let type = gdalTypes[Int(index)]
        switch type {
        case OFTInteger, OFTInteger64:
            return .integer(Int64(OGR_F_GetFieldAsInteger64(feature.handle, index)))
        case OFTReal:
            return .real(OGR_F_GetFieldAsDouble(feature.handle, index))
        case OFTBinary:
            var count: Int32 = 0
            // OGR_F_GetFieldAsBinary returns borrowed bytes (count in the out parameter), NULL for none.
            guard let bytes = OGR_F_GetFieldAsBinary(feature.handle, index, &count), count > 0 else { return .blob([]) }
            return .blob(Array(UnsafeBufferPointer(start: bytes, count: Int(count))))
        default:
            // Strings, dates and lists as text. OGR_F_GetFieldAsString returns a borrowed,
            // never-NULL string, valid until the next call on the feature: decoded at once.
            let raw = OGR_F_GetFieldAsString(feature.handle, index)
            guard let text = Self.decode(raw, with: decoder) else {
                throw FeatureIOError(.undecodableText,
                                     "the value \(InputExcerpt.of(bytes: Self.bytes(raw))) is not \(decoder.encoding) text")
            }
            return .text(text)
        }
    }

    private func geometry(of feature: GDALFeatureHandle) throws -> Geometry? {
        // OGR_F_GetGeometryRef returns the feature's borrowed geometry, or NULL for none.
        guard let borrowed = OGR_F_GetGeometryRef(feature.handle) else { return nil }
        var linear: GDALGeometryHandle?
        // OGR_G_HasCurveGeometry returns nonzero when arcs or curves are there (DXF, MapInfo);
        // OGR_G_GetLinearGeometry returns a new, owned approximation by line segments, NULL on failure.
        if OGR_G_HasCurveGeometry(borrowed, 1) != 0 {
            guard let approximated = OGR_G_GetLinearGeometry(borrowed, 0, nil) else {
                throw FeatureIOError(.invalidGeometry, GDALMessages.describe("a curve GDAL cannot turn into line segments"))
            }
            linear = GDALGeometryHandle(approximated)
        }
        let geometry = linear?.handle ?? borrowed
        // OGR_G_WkbSizeEx returns the size of the ISO WKB, in bytes.
        var wkb = [UInt8](repeating: 0, count: OGR_G_WkbSizeEx(geometry))
        // OGR_G_ExportToIsoWkb returns OGRERR_NONE, or an error code for a geometry it cannot write.
        let exported = wkb.withUnsafeMutableBufferPointer { OGR_G_ExportToIsoWkb(geometry, wkbNDR, $0.baseAddress) }
        guard exported == OGRERR_NONE else {
            throw FeatureIOError(.invalidGeometry, GDALMessages.describe("a geometry GDAL cannot write as WKB"))
        }
        do {
            return try WKB.decode(wkb)
        } catch {
            throw FeatureIOError(.invalidGeometry, "the geometry is not one GridWeave reads: \(error)")
        }
    }

    /// The layer's geometry type as GeoPackage names it; nil for a table without geometry.
    private var geometryTypeName: String? {
        // OGR_L_GetGeomType returns the declared type (wkbUnknown when mixed, wkbNone for none);
        // OGR_GT_Flatten drops Z and M.
        switch OGR_GT_Flatten(OGR_L_GetGeomType(layer.handle)) {
        case wkbNone: nil
        case wkbPoint: "POINT"
        case wkbLineString: "LINESTRING"
        case wkbPolygon: "POLYGON"
        case wkbMultiPoint: "MULTIPOINT"
        case wkbMultiLineString: "MULTILINESTRING"
        case wkbMultiPolygon: "MULTIPOLYGON"
        case wkbGeometryCollection: "GEOMETRYCOLLECTION"
        default: "GEOMETRY"
        }
    }

    /// The layer's CRS with its EPSG code where GDAL finds one (also for a Shapefile's ESRI
    /// `.prj`); a CRS without one, or none at all, is the undefined row, which the district
    /// reader refuses with advice instead of guessing.
    private var spatialReference: SpatialReference {
        // OGR_L_GetSpatialRef returns the layer's borrowed CRS, or NULL when it has none.
        guard let borrowed = OGR_L_GetSpatialRef(layer.handle) else { return .undefinedCartesian }
        let wkt = Self.wkt(of: borrowed) ?? "undefined"
        if let code = Self.epsgCode(of: borrowed) {
            return .epsg(code, name: Self.name(of: borrowed), definition: wkt)
        }
        // OSRClone returns a new, owned copy (NULL only when out of memory), which
        // OSRAutoIdentifyEPSG may annotate; it returns OGRERR_NONE when it found the code.
        if let clone = OSRClone(borrowed).map(GDALSpatialReferenceHandle.init),
           OSRAutoIdentifyEPSG(clone.handle) == OGRERR_NONE, let code = Self.epsgCode(of: clone.handle) {
            return .epsg(code, name: Self.name(of: borrowed), definition: wkt)
        }
        return SpatialReference(srsID: -1, organization: "NONE", organizationID: -1, name: Self.name(of: borrowed), definition: wkt)
    }

    private static func epsgCode(of srs: OGRSpatialReferenceH) -> Int32? {
        // Both return a borrowed string, or NULL when the CRS has no authority.
        guard let authority = OSRGetAuthorityName(srs, nil), String(cString: authority).uppercased() == "EPSG",
              let code = OSRGetAuthorityCode(srs, nil) else { return nil }
        return Int32(String(cString: code))
    }

    private static func name(of srs: OGRSpatialReferenceH) -> String {
        // OSRGetName returns a borrowed string, or NULL for an unnamed CRS.
        OSRGetName(srs).map { String(cString: $0) } ?? "unnamed"
    }

    private static func wkt(of srs: OGRSpatialReferenceH) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        // OSRExportToWkt returns OGRERR_NONE and a new string the caller frees with CPLFree.
        guard OSRExportToWkt(srs, &text) == OGRERR_NONE, let text else { return nil }
        defer { VSIFree(text) }
        return String(cString: text)
    }

    private static func fieldType(_ type: OGRFieldType) -> FieldType {
        switch type {
        case OFTInteger, OFTInteger64: .integer
        case OFTReal: .real
        case OFTBinary: .blob
        default: .text
        }
    }

    /// The bytes of a C string GDAL lent us; none for NULL.
    private static func bytes(_ text: UnsafePointer<CChar>?) -> UnsafeBufferPointer<UInt8> {
        guard let text else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
    }

    private static func decode(_ text: UnsafePointer<CChar>?, with decoder: TextDecoder) -> String? {
        decoder.decode(bytes(text))
    }
}
