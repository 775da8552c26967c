import CSQLite
import FeatureIO
import Foundation
import GridSchema

extension GridIndex {
    /// The table of a grids GeoPackage that holds its stored lookup index (one row; see
    /// `StoredIndex` for the bytes and `GridsFingerprint` for what they must match).
    public static let storedIndexTable = PartitionSchema.LookupIndex.table
    /// The format of the stored index this code writes and reads; any other is built again.
    public static var storedIndexFormatVersion: Int { Int(StoredIndex.formatVersion) }

    /// The index stored in the grids file at `path`, when there is one for exactly the grids the
    /// file holds now and in this format; otherwise why not.
    ///
    /// Reads in one read transaction, so the fingerprint and the index come from the same state
    /// of the file. The index's bytes are read once from SQLite into one block of memory that
    /// its arrays then borrow from (no decoding, no copy per array).
    static func readStored(_ path: String, loadStarted: Double) -> Result<GridIndex, StoredIndex.Refusal> {
        do {
            let database = try SQLiteDatabase(path: path, mode: .readOnly)
            try database.execute("BEGIN")
            defer { try? database.execute("COMMIT") }
            let tables = try database.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                            bind: { try $0.bind(storedIndexTable, at: 1) }, row: { $0.int64(0) })
            guard tables.first == 1 else { return .failure(StoredIndex.Refusal("the file has no stored index")) }
            let rows = try database.query(
                "SELECT rowid, format_version, grids_hash, length(data) FROM \(quoteIdentifier(storedIndexTable)) LIMIT 1",
                row: { ($0.int64(0), $0.int64(1), $0.text(2) ?? "", $0.int64(3)) })
            guard let row = rows.first else {
                return .failure(StoredIndex.Refusal("the file's stored index table is empty"))
            }
            let (rowID, version, storedHash, length) = row
            guard version == Int64(StoredIndex.formatVersion) else {
                return .failure(StoredIndex.Refusal("the stored index has format version \(version), this gridweave reads \(StoredIndex.formatVersion)"))
            }
            let fingerprint = try GridsFingerprint.compute(database)
            guard storedHash == hex(fingerprint) else {
                return .failure(StoredIndex.Refusal("the grids changed after the index was stored (now \(hex(fingerprint)), stored for \(storedHash))"))
            }
            guard length >= StoredIndex.headerBytes, length < Int64(Int32.max) else {
                return .failure(StoredIndex.Refusal("the stored index is \(length) bytes: truncated or damaged"))
            }
            let block = StoredIndex.Block(count: Int(length))
            var blob: OpaquePointer?
            // Returns SQLITE_OK, or an error code with blob set to NULL.
            var code = sqlite3_blob_open(database.handle, "main", storedIndexTable, "data", rowID, 0, &blob)
            guard code == SQLITE_OK, let blob else {
                sqlite3_blob_close(blob)
                return .failure(StoredIndex.Refusal("the stored index cannot be read: \(database.error(code, "sqlite3_blob_open"))"))
            }
            // Returns SQLITE_OK, or an error code (SQLITE_ERROR past the end of the blob).
            code = sqlite3_blob_read(blob, block.bytes.baseAddress, Int32(length), 0)
            // Returns SQLITE_OK or the error of the blob's last read; the handle is freed either way.
            sqlite3_blob_close(blob)
            guard code == SQLITE_OK else {
                return .failure(StoredIndex.Refusal("the stored index cannot be read: \(database.error(code, "sqlite3_blob_read"))"))
            }
            guard StoredIndex.header(UnsafeRawBufferPointer(block.bytes))?.fingerprint == fingerprint else {
                return .failure(StoredIndex.Refusal("the stored index's own fingerprint is not that of the grids"))
            }
            let provenance = Provenance(source: .stored, seconds: 0)
            let index = try StoredIndex.decode(block, provenance: provenance)
            return .success(index.withProvenance(Provenance(source: .stored, seconds: monotonicSeconds() - loadStarted)))
        } catch let refusal as StoredIndex.Refusal {
            return .failure(refusal)
        } catch let unavailable as GridsFingerprint.Unavailable {
            return .failure(StoredIndex.Refusal(unavailable.reason))
        } catch {
            return .failure(StoredIndex.Refusal("the stored index cannot be read: \(error)"))
        }
    }

    /// The same index with another provenance (the arrays are shared, not copied).
    private func withProvenance(_ provenance: Provenance) -> GridIndex {
        GridIndex(grids: grids, microGrids: microGrids, epsg: epsg, gridLayer: gridLayer, microGridLayer: microGridLayer,
                  lattice: lattice, microGridParent: microGridParent, gridChildStart: gridChildStart,
                  gridChildren: gridChildren, scale: scale, block: block!, provenance: provenance)
    }

    /// `stored`'s arrays and provenance, for `init(contentsOf:)` (an initializer cannot return
    /// another object): borrowed arrays are never freed by either.
    convenience init(sharing stored: GridIndex) {
        self.init(grids: stored.grids, microGrids: stored.microGrids, epsg: stored.epsg, gridLayer: stored.gridLayer,
                  microGridLayer: stored.microGridLayer, lattice: stored.lattice, microGridParent: stored.microGridParent,
                  gridChildStart: stored.gridChildStart, gridChildren: stored.gridChildren, scale: stored.scale,
                  block: stored.block!, provenance: stored.provenance)
    }

    /// Builds the index of the grids file at `path` and stores it in the file, in the table
    /// `storedIndexTable`, replacing any index stored before; `gridweave partition` does this to
    /// every file it writes, `gridweave index` to any grids file.
    ///
    /// The table is registered in `gpkg_extensions` (extension `gridweave_lookup_index`, scope
    /// `write-only`: a reader may ignore it; a tool that edits the grids without updating it
    /// leaves an index that no longer matches, which `locate` and `serve` then build again).
    /// - Returns: the index stored.
    /// - Throws: `GridLookupError` as `init(contentsOf:)` does for a file that cannot be
    ///   indexed, of kind `.write` when the table cannot be written or the grids changed while
    ///   the index was being built.
    @discardableResult
    public static func storeIndex(inFile path: String, concurrently: Bool = true) throws -> GridIndex {
        func fingerprint(_ database: SQLiteDatabase) throws -> UInt64 {
            do {
                return try GridsFingerprint.compute(database)
            } catch let unavailable as GridsFingerprint.Unavailable {
                throw GridLookupError(.write, file: path, layer: storedIndexTable,
                                      message: "cannot fingerprint the grids: \(unavailable.reason)")
            }
        }
        let before: UInt64
        do {
            before = try fingerprint(try SQLiteDatabase(path: path, mode: .readOnly))
        } catch let error as FeatureIOError {
            throw GridLookupError(unreadable: error, file: path)
        }
        let index = try GridIndex(contentsOf: path, concurrently: concurrently, useStored: false)
        let bytes = StoredIndex.encode(index, fingerprint: before, cellsPerEdge: defaultCellsPerEdge)
        do {
            let database = try SQLiteDatabase(path: path, mode: .create)
            try database.execute("BEGIN IMMEDIATE")
            do {
                guard try fingerprint(database) == before else {
                    throw GridLookupError(.write, file: path, layer: storedIndexTable,
                                          message: "the grids changed while their index was being built: run it again")
                }
                try database.execute("""
                    DROP TABLE IF EXISTS \(quoteIdentifier(storedIndexTable));
                    CREATE TABLE \(quoteIdentifier(storedIndexTable)) (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        format_version INTEGER NOT NULL,
                        grids_hash TEXT NOT NULL,
                        cells_per_edge REAL NOT NULL,
                        byte_count INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS gpkg_extensions (
                        table_name TEXT,
                        column_name TEXT,
                        extension_name TEXT NOT NULL,
                        definition TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
                    );
                    DELETE FROM gpkg_extensions WHERE extension_name = \(quoteLiteral(storedIndexTable));
                    INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
                    VALUES (\(quoteLiteral(storedIndexTable)), NULL, \(quoteLiteral(storedIndexTable)),
                            'GridWeave data.md, "Stored lookup index"', 'write-only');
                    """)
                let insert = try database.prepare("""
                    INSERT INTO \(quoteIdentifier(storedIndexTable)) (id, format_version, grids_hash, cells_per_edge, byte_count, data)
                    VALUES (1, ?, ?, ?, ?, ?)
                    """)
                try insert.bind(Int64(StoredIndex.formatVersion), at: 1)
                try insert.bind(hex(before), at: 2)
                try insert.bind(defaultCellsPerEdge, at: 3)
                try insert.bind(Int64(bytes.count), at: 4)
                try insert.bind(blob: bytes, at: 5)
                try insert.step()
                try database.execute("COMMIT")
            } catch {
                try? database.execute("ROLLBACK")
                throw error
            }
        } catch let error as FeatureIOError {
            throw GridLookupError(.write, file: path, layer: storedIndexTable, message: error.message)
        }
        return index
    }

    /// A fingerprint as the table stores it: 16 lowercase hexadecimal digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
