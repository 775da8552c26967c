/// A row of `gpkg_spatial_ref_sys`: a coordinate reference system as a GeoPackage names it.
///
/// FeatureIO does not interpret the definition (it does not link PROJ): the caller supplies
/// the WKT when writing, and gets back whatever the file holds when reading.
public struct SpatialReference: Hashable, Sendable {
    /// The GeoPackage's own id for the row, referenced by layers; by convention the EPSG code.
    public var srsID: Int32
    /// The authority of `organizationID`, such as `"EPSG"`; `"NONE"` for the undefined rows.
    public var organization: String
    /// The code of the CRS at `organization`, such as 4326.
    public var organizationID: Int32
    /// A human-readable name, such as `"WGS 84 geodetic"`.
    public var name: String
    /// The CRS as WKT (WKT1 for GeoPackage 1.3 readers), or `"undefined"`.
    public var definition: String
    /// A free description (`gpkg_spatial_ref_sys.description`), nil for none.
    public var description: String?

    public init(srsID: Int32, organization: String, organizationID: Int32, name: String, definition: String,
                description: String? = nil) {
        self.srsID = srsID
        self.organization = organization
        self.organizationID = organizationID
        self.name = name
        self.definition = definition
        self.description = description
    }

    /// An EPSG CRS whose `srs_id` is its code.
    public static func epsg(_ code: Int32, name: String, definition: String) -> SpatialReference {
        SpatialReference(srsID: code, organization: "EPSG", organizationID: code, name: name, definition: definition)
    }

    /// The EPSG code when the organization is EPSG (in any letter case), else nil.
    public var epsgCode: Int32? {
        organization.uppercased() == "EPSG" ? organizationID : nil
    }

    /// Whether this is one of the two rows the GeoPackage spec reserves for "no CRS" (-1 and 0).
    public var isUndefined: Bool {
        organization.uppercased() == "NONE" && (srsID == -1 || srsID == 0)
    }

    /// WGS 84 longitude/latitude, with the WKT1 text of the GeoPackage specification (Annex C).
    public static let wgs84 = SpatialReference(
        srsID: 4326, organization: "EPSG", organizationID: 4326, name: "WGS 84 geodetic",
        definition: """
            GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],\
            AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],\
            UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]
            """,
        description: "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid")

    /// The row every GeoPackage holds for features in an unknown Cartesian CRS (srs_id -1).
    public static let undefinedCartesian = SpatialReference(
        srsID: -1, organization: "NONE", organizationID: -1, name: "Undefined cartesian SRS",
        definition: "undefined", description: "undefined cartesian coordinate reference system")

    /// The row every GeoPackage holds for features in an unknown geographic CRS (srs_id 0).
    public static let undefinedGeographic = SpatialReference(
        srsID: 0, organization: "NONE", organizationID: 0, name: "Undefined geographic SRS",
        definition: "undefined", description: "undefined geographic coordinate reference system")
}
