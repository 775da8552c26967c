/// The SQL of a GeoPackage 1.3 file, as the specification (OGC 12-128r15) gives it.
enum GeoPackageSchema {
    /// `PRAGMA application_id`: "GPKG" in ASCII.
    static let applicationID: Int32 = 0x4750_4B47
    /// `PRAGMA user_version` of GeoPackage 1.3.0.
    static let userVersion: Int32 = 10300

    /// The name of every geometry column written, as GDAL names it.
    static let geometryColumn = "geom"
    /// The name of every integer primary key column written, as GDAL names it.
    static let fidColumn = "fid"

    /// The rows every GeoPackage must hold: the undefined Cartesian and geographic CRSs, and WGS 84.
    static let requiredSpatialReferences: [SpatialReference] = [.undefinedCartesian, .undefinedGeographic, .wgs84]

    /// The geometry type names of `gpkg_geometry_columns` that this writer declares (2D only).
    static let geometryTypes: Set<String> = [
        "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
    ]

    /// The mandatory tables (clauses 1.1.2, 1.1.3, 2.1.5) and the extensions table (2.3).
    static let coreTables = """
        CREATE TABLE gpkg_spatial_ref_sys (
          srs_name TEXT NOT NULL,
          srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL,
          organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL,
          description TEXT
        );
        CREATE TABLE gpkg_contents (
          table_name TEXT NOT NULL PRIMARY KEY,
          data_type TEXT NOT NULL,
          identifier TEXT UNIQUE,
          description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE,
          min_y DOUBLE,
          max_x DOUBLE,
          max_y DOUBLE,
          srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
        );
        CREATE TABLE gpkg_geometry_columns (
          table_name TEXT NOT NULL,
          column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL,
          srs_id INTEGER NOT NULL,
          z TINYINT NOT NULL,
          m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
          CONSTRAINT uk_gc_table_name UNIQUE (table_name),
          CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
        );
        CREATE TABLE gpkg_extensions (
          table_name TEXT,
          column_name TEXT,
          extension_name TEXT NOT NULL,
          definition TEXT NOT NULL,
          scope TEXT NOT NULL,
          CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
        );
        """

    /// The R-tree spatial index extension (clause F.3) as it appears in `gpkg_extensions`.
    static let rtreeExtension = (
        name: "gpkg_rtree_index",
        definition: "http://www.geopackage.org/spec120/#extension_rtree",
        scope: "write-only"
    )

    /// The name of the R-tree table of geometry column `column` of `table`.
    static func rtreeTable(_ table: String, _ column: String = geometryColumn) -> String {
        "rtree_\(table)_\(column)"
    }

    /// The six triggers of clause F.3 that keep `rtree_<t>_<c>` in step with the table.
    ///
    /// They call `ST_IsEmpty`, `ST_MinX` and friends, which a GeoPackage-aware reader (GDAL)
    /// registers but our connection does not: so they are created only after the table and
    /// its R-tree have been filled, and nothing on our connection fires them.
    static func rtreeTriggers(table: String, column: String = geometryColumn, id: String = fidColumn) -> String {
        let t = quoteIdentifier(table)
        let c = quoteIdentifier(column)
        let i = quoteIdentifier(id)
        let rtree = quoteIdentifier(rtreeTable(table, column))
        func trigger(_ suffix: String) -> String { quoteIdentifier("rtree_\(table)_\(column)_\(suffix)") }
        let insertNew = """
            INSERT OR REPLACE INTO \(rtree) VALUES (
                NEW.\(i),
                ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)),
                ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c))
              );
            """
        return """
            CREATE TRIGGER \(trigger("insert")) AFTER INSERT ON \(t)
              WHEN (new.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              \(insertNew)
            END;
            CREATE TRIGGER \(trigger("update1")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND
                   (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              \(insertNew)
            END;
            CREATE TRIGGER \(trigger("update2")) AFTER UPDATE OF \(c) ON \(t)
              WHEN OLD.\(i) = NEW.\(i) AND
                   (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(rtree) WHERE id = OLD.\(i);
            END;
            CREATE TRIGGER \(trigger("update3")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND
                   (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(rtree) WHERE id = OLD.\(i);
              \(insertNew)
            END;
            CREATE TRIGGER \(trigger("update4")) AFTER UPDATE ON \(t)
              WHEN OLD.\(i) != NEW.\(i) AND
                   (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
            BEGIN
              DELETE FROM \(rtree) WHERE id IN (OLD.\(i), NEW.\(i));
            END;
            CREATE TRIGGER \(trigger("delete")) AFTER DELETE ON \(t)
              WHEN old.\(c) NOT NULL
            BEGIN
              DELETE FROM \(rtree) WHERE id = OLD.\(i);
            END;
            """
    }
}
