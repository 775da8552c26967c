public import GeometryEngine

/// One row of a layer: an optional geometry and its attribute values.
public struct Feature: Hashable, Sendable {
    /// The GeoPackage feature id; nil lets the writer assign one. GeoJSON has no fid: it reads
    /// as nil and is not written (carry identifiers in `properties`).
    public var fid: Int64?
    public var geometry: Geometry?
    /// Values by field name. A field the dictionary lacks is NULL. Reading a GeoPackage gives
    /// every field of the layer, NULLs included.
    public var properties: [String: FieldValue]

    public init(fid: Int64? = nil, geometry: Geometry?, properties: [String: FieldValue] = [:]) {
        self.fid = fid
        self.geometry = geometry
        self.properties = properties
    }

    /// The value of field `name`; `.null` when the feature has none.
    public subscript(name: String) -> FieldValue {
        get { properties[name] ?? .null }
        set { properties[name] = newValue }
    }
}

/// A named collection of features with one schema: a GeoPackage feature or attribute table,
/// or a GeoJSON FeatureCollection.
public struct Layer: Hashable, Sendable {
    /// The table name in a GeoPackage.
    public var name: String
    /// The geometry type name as in `gpkg_geometry_columns` (`"POLYGON"`, `"MULTIPOLYGON"`,
    /// `"LINESTRING"`, `"POINT"`, `"GEOMETRY"`, ...); nil for an attribute table.
    public var geometryType: String?
    /// The CRS of every geometry; nil when unknown (written as the undefined Cartesian row,
    /// srs_id -1) and for attribute tables.
    public var srs: SpatialReference?
    /// The attribute columns, in table order (the fid and geometry columns are not fields).
    public var fields: [FieldDefinition]
    public var features: [Feature]

    public init(name: String, geometryType: String? = nil, srs: SpatialReference? = nil,
                fields: [FieldDefinition] = [], features: [Feature] = []) {
        self.name = name
        self.geometryType = geometryType
        self.srs = srs
        self.fields = fields
        self.features = features
    }

    /// Whether the layer is an attribute table (no geometry column).
    public var isAttributeTable: Bool { geometryType == nil }

    /// The field named `name`, if the layer has one.
    public func field(named name: String) -> FieldDefinition? {
        fields.first { $0.name == name }
    }

    /// The envelope of every feature's geometry, or nil when none has a non-empty geometry.
    public var extent: Envelope? {
        features.reduce(nil) { result, feature in
            guard let envelope = feature.geometry?.envelope else { return result }
            return result?.union(envelope) ?? envelope
        }
    }
}
