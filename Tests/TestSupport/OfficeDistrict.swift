import Foundation

/// The Shanghai sample as a city office hands it over: ESRI Shapefiles whose DBFs are GBK
/// (shops GB18030: a shop is called Häagen-Dazs, which GBK cannot write), with Chinese layer
/// and field names, written by GDAL's ogr2ogr at test time from `geodata/shanghai.gpkg`.
public enum OfficeDistrict {
    /// The GeoPackage the Shapefiles are made from.
    public static let source = sampleDistrict("shanghai.gpkg").path

    /// Each layer: the office's name, the encoding, and the SQL that renames its fields.
    static let layers: [(name: String, encoding: String, sql: String)] = [
        ("社区", "GBK", "SELECT geom, code AS 社区编码, name AS 名称, kind, street_code AS 街道编码, street_name AS 街道名称 FROM communities"),
        ("楼栋", "GBK", "SELECT geom, id AS 楼栋编号, households AS 户数, floors AS 层数, kind, units AS 单元数, compound AS 小区 FROM buildings"),
        ("道路", "GBK", "SELECT geom, id AS 道路编号, class AS 等级, name AS 名称 FROM roads"),
        ("shops", "GB18030", "SELECT * FROM shops"),
        ("dedicated", "GBK", "SELECT * FROM dedicated"),
        ("compounds", "GBK", "SELECT * FROM compounds"),
    ]

    /// `--layer` and `--map` arguments that name the office's layers and fields as data.md does
    /// (`--map name=名称` without a layer: communities and roads both have 名称).
    public static let mappingArguments: [String] = [
        "--layer", "communities=社区", "--layer", "buildings=楼栋", "--layer", "roads=道路",
        "--map", "communities.code=社区编码", "--map", "name=名称", "--map", "communities.street_code=街道编码",
        "--map", "communities.street_name=街道名称", "--map", "buildings.id=楼栋编号", "--map", "buildings.households=户数",
        "--map", "buildings.floors=层数", "--map", "buildings.units=单元数", "--map", "buildings.compound=小区",
        "--map", "roads.id=道路编号", "--map", "roads.class=等级",
    ]

    /// The same mapping as a mapping file (`--mapping`).
    public static let mappingFile = """
        {
          "layers": {"communities": "社区", "buildings": "楼栋", "roads": "道路"},
          "fields": {
            "communities.code": "社区编码", "name": "名称", "communities.street_code": "街道编码",
            "communities.street_name": "街道名称", "buildings.id": "楼栋编号", "buildings.households": "户数",
            "buildings.floors": "层数", "buildings.units": "单元数", "buildings.compound": "小区",
            "roads.id": "道路编号", "roads.class": "等级"
          }
        }
        """

    /// Writes `<office name>.shp` (with `.dbf`, `.shx`, `.prj` and `.cpg`) per layer into `directory`.
    public static func writeShapefiles(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for layer in layers {
            try convert(["-f", "ESRI Shapefile", (directory as NSString).appendingPathComponent(layer.name + ".shp"), source,
                         "-nln", layer.name, "-lco", "ENCODING=\(layer.encoding)", "-sql", layer.sql])
        }
    }

    /// Runs ogr2ogr, throwing its output when it fails.
    public static func convert(_ arguments: [String]) throws {
        guard let result = ogr2ogr(arguments) else { throw ConversionError(description: "ogr2ogr is not installed") }
        guard result.status == 0 else {
            throw ConversionError(description: "ogr2ogr \(arguments.joined(separator: " ")) failed: \(result.output)")
        }
    }

    public struct ConversionError: Error, CustomStringConvertible {
        public var description: String
    }
}
