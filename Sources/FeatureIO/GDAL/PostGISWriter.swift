import CGDAL
import Foundation

/// Writes layers into a PostgreSQL/PostGIS database through GDAL's PostgreSQL driver, for the
/// city offices whose GIS reads grids from a database rather than a file.
///
/// One transaction: the layers' tables are dropped and created again, and their rows written,
/// inside it, so that a reader sees the old tables until the new ones are complete, and a
/// failure anywhere (a lost connection, a geometry the column refuses) leaves the database as it
/// was. Each table has the GeoPackage's names (`fid` key, `geom` column) and types, the CRS of
/// the layer as its SRID, and a GiST spatial index on its geometry. Only the layers written are
/// touched; other tables in the schema stay.
public enum PostGISWriter {
    /// GDAL's name of its PostgreSQL/PostGIS driver.
    static let driverName = "PostgreSQL"
    /// GDAL's open option that lists tables without geometry too (`building_assignments`):
    /// without it the PostgreSQL driver shows only spatial tables.
    static let listAllTables = ["LIST_ALL_TABLES=YES"]
    /// The schema written to when none is named.
    public static let defaultSchema = "public"

    /// Connects to `connection` for writing and checks that it has PostGIS, writing nothing:
    /// call it before long work, so that an unreachable database fails first.
    /// - Throws: `FeatureIOError` (`.write`) naming the connection without its password.
    public static func check(_ connection: String) throws {
        do {
            try withGDALMessages {
                let dataset = try open(connection)
                try dataset.requirePostGIS()
                try dataset.close()
            }
        } catch let error as FeatureIOError {
            throw error.located(file: DatabaseConnection.redacted(connection))
        }
    }

    /// Writes `layers` as tables of `schema` (created when missing) in one transaction.
    /// - Throws: `FeatureIOError` naming the connection (without its password), the layer and the
    ///   feature; the database is then as it was.
    public static func write(_ layers: [Layer], to connection: String, schema: String = defaultSchema) throws {
        guard !schema.isEmpty else { throw FeatureIOError(.write, "the schema needs a name", file: DatabaseConnection.redacted(connection)) }
        do {
            try withGDALMessages {
                let probe = try open(connection)
                try probe.requirePostGIS()
                let exists = try probe.schemaExists(schema)
                // With the schema active, GDAL names its tables without a prefix, so that
                // `grids` is the schema's own and never another schema's table of that name.
                let dataset = exists ? try open(connection, activeSchema: schema) : probe
                try dataset.inTransaction {
                    if exists {
                        for layer in layers { try dataset.deleteLayer(named: layer.name) }
                    } else {
                        try dataset.execute("CREATE SCHEMA \(quoteIdentifier(schema))")
                    }
                    for layer in layers {
                        do {
                            let output = try dataset.createLayer(layer, geometryType: GDALOutputDataset.exactGeometryType(layer), options: [
                                "SCHEMA=\(schema)", "GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST", "LAUNDER=NO",
                            ])
                            for field in layer.fields { try GDALOutputDataset.createField(field.name, field.type, in: output) }
                            try GDALOutputDataset.writeFeatures(of: layer, into: output, keepingFIDs: true)
                        } catch let error as FeatureIOError {
                            throw error.located(layer: layer.name)
                        }
                    }
                }
                try dataset.close()
            }
        } catch let error as FeatureIOError {
            throw error.located(file: DatabaseConnection.redacted(connection))
        }
    }

    /// Opens `connection` for writing. Call inside `withGDALMessages`.
    private static func open(_ connection: String, activeSchema: String? = nil) throws -> GDALOutputDataset {
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR)
        let options = listAllTables + (activeSchema.map { ["ACTIVE_SCHEMA=\($0)"] } ?? [])
        // GDALOpenEx returns NULL when the database cannot be reached or refuses us (its message says why).
        let opened = withCStringList(options) { options in
            withCStringList([driverName]) { GDALOpenEx(connection, flags, $0, options, nil) }
        }
        guard let opened else { throw FeatureIOError(.write, connectionFailure()) }
        return GDALOutputDataset(owning: opened)
    }

    /// Why a connection failed, with what to check, and libpq's words through GDAL (never the
    /// password: libpq does not repeat it, and any `password=` is masked all the same).
    static func connectionFailure() -> String {
        let advice = "cannot connect to the database: check host, port, dbname, user and password, and that the server is running"
        return GDALMessages.lastFailure().map { "\(advice) (GDAL: \(InputExcerpt.of(DatabaseConnection.redacted($0), limit: 300)))" } ?? advice
    }
}

/// PostgreSQL's work on a dataset opened for writing: SQL, the transaction, dropping a table.
private extension GDALOutputDataset {
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func inTransaction(_ body: () throws -> Void) throws {
        guard let handle else { throw FeatureIOError(.write, "the dataset is closed") }
        // GDALDatasetStartTransaction returns OGRERR_NONE when the transaction began (force 0:
        // a real one, which the PostgreSQL driver has).
        guard GDALDatasetStartTransaction(handle, 0) == OGRERR_NONE else {
            throw FeatureIOError(.write, GDALMessages.describe("cannot begin a transaction"))
        }
        do {
            try body()
        } catch {
            // GDALDatasetRollbackTransaction returns OGRERR_NONE; a failure leaves nothing to do,
            // since PostgreSQL ends an unfinished transaction with the connection.
            _ = GDALDatasetRollbackTransaction(handle)
            throw error
        }
        // GDALDatasetCommitTransaction returns OGRERR_NONE once PostgreSQL committed (rows still
        // buffered for COPY are sent first, so a refused row fails here).
        guard GDALDatasetCommitTransaction(handle) == OGRERR_NONE else {
            let failure = FeatureIOError(.write, GDALMessages.describe("the database did not commit the tables; it is as it was"))
            _ = GDALDatasetRollbackTransaction(handle)
            throw failure
        }
    }

    /// Runs one SQL statement whose result is not read.
    func execute(_ sql: String) throws {
        _ = try query(sql) { _ in }
    }

    /// Runs `sql` and hands its result set, when it has one, to `read`; the set is released after.
    func query<T>(_ sql: String, _ read: (OGRLayerH?) throws -> T) throws -> T {
        guard let handle else { throw FeatureIOError(.write, "the dataset is closed") }
        CPLErrorReset()
        // GDALDatasetExecuteSQL returns a result set we must release, or NULL (no rows to give,
        // or a failure, which leaves a message).
        let result = GDALDatasetExecuteSQL(handle, sql, nil, nil)
        defer { if let result { GDALDatasetReleaseResultSet(handle, result) } }
        if let failure = GDALMessages.lastFailure() {
            throw FeatureIOError(.write, "the database refused \(InputExcerpt.of(sql)): \(InputExcerpt.of(failure, limit: 300))")
        }
        return try read(result)
    }

    /// The first column of the first row of `sql`'s result as an integer, nil when none.
    func integer(_ sql: String) throws -> Int64? {
        try query(sql) { result in
            // OGR_L_GetNextFeature returns a new feature we own, or NULL when there is none.
            guard let result, let row = OGR_L_GetNextFeature(result).map(GDALFeatureHandle.init) else { return nil }
            return Int64(OGR_F_GetFieldAsInteger64(row.handle, 0))
        }
    }

    func requirePostGIS() throws {
        let installed = try integer("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
        guard installed == 1 else {
            throw FeatureIOError(.write, "the database has no PostGIS: run CREATE EXTENSION postgis in it (as its owner), then again")
        }
    }

    func schemaExists(_ schema: String) throws -> Bool {
        try integer("SELECT count(*) FROM pg_namespace WHERE nspname = \(quoteLiteral(schema))") == 1
    }

    /// Drops the table GDAL lists as `name` (with the schema active: that schema's), if any.
    func deleteLayer(named name: String) throws {
        guard let handle else { throw FeatureIOError(.write, "the dataset is closed") }
        // GDALDatasetGetLayerCount returns >= 0; GDALDatasetGetLayer a borrowed layer or NULL;
        // OGR_L_GetName a borrowed, never-NULL string.
        for index in 0..<GDALDatasetGetLayerCount(handle) {
            guard let layer = GDALDatasetGetLayer(handle, index), String(cString: OGR_L_GetName(layer)) == name else { continue }
            // GDALDatasetDeleteLayer returns OGRERR_NONE once the table is dropped (in the transaction).
            guard GDALDatasetDeleteLayer(handle, index) == OGRERR_NONE else {
                throw FeatureIOError(.write, GDALMessages.describe("cannot replace the table"), layer: name)
            }
            return
        }
    }
}
