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
                let dataset = try GDALOutputDataset(creating: temporary, driver: driverName)
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

/// The Shapefile-specific part of writing a layer: short field names, text widths in bytes of
/// the DBF's encoding, one geometry type for single and multi parts.
private extension GDALOutputDataset {
    func add(_ layer: Layer, encoding: TextEncoding, fieldName: (String) -> String) throws {
        guard let encoder = TextEncoder(encoding) else {
            throw FeatureIOError(.unsupported, "no converter to \(encoding) on this machine")
        }
        let names = layer.fields.map { fieldName($0.name) }
        for (field, shapefileName) in zip(layer.fields, names) where shapefileName.utf8.count > ShapefileWriter.maximumFieldNameLength {
            throw FeatureIOError(.invalidLayer, "a Shapefile field name has at most 10 bytes: \(InputExcerpt.of(shapefileName)) is longer",
                                 field: field.name)
        }
        let widths = try textWidths(layer, encoder: encoder)
        let output = try createLayer(layer, geometryType: Self.shapefileGeometryType(layer), options: ["ENCODING=\(encoding.name)"])
        for (index, field) in layer.fields.enumerated() {
            try Self.createField(names[index], field.type, width: widths[index], in: output)
        }
        try Self.writeFeatures(of: layer, into: output)
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

    /// A Shapefile holds single and multi parts alike: one type for both.
    private static func shapefileGeometryType(_ layer: Layer) -> OGRwkbGeometryType {
        switch layer.geometryType?.uppercased() {
        case nil: wkbNone
        case "POINT", "MULTIPOINT": wkbPoint
        case "LINESTRING", "MULTILINESTRING": wkbLineString
        default: wkbPolygon
        }
    }
}

extension ShapefileWriter {
    static let driverName = GDALReader.shapefileDriver
}
