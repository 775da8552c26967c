import CSQLite

/// Owns one `sqlite3_stmt*`: prepared in `init`, finalized once in `deinit`.
///
/// Keeps its `SQLiteDatabase` alive. Parameter indexes are 1-based and column indexes 0-based,
/// as in the C API.
package final class SQLiteStatement {
    package let database: SQLiteDatabase
    package let handle: OpaquePointer

    package init(database: SQLiteDatabase, sql: String) throws {
        var handle: OpaquePointer?
        // Returns SQLITE_OK or an error code; the handle is NULL on error and for empty SQL.
        let code = sqlite3_prepare_v2(database.handle, sql, -1, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw database.error(code, "cannot prepare \(sql.prefix(80))")
        }
        self.database = database
        self.handle = handle
    }

    deinit {
        // sqlite3_finalize returns the code of the last step, already reported there.
        sqlite3_finalize(handle)
    }

    /// Runs the statement to its next row: true when a row is ready, false when done.
    @discardableResult
    package func step() throws -> Bool {
        // Returns SQLITE_ROW with a row ready, SQLITE_DONE when finished, anything else on error.
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(code, "statement failed")
        }
    }

    /// Makes the statement ready to run again; the bindings stay.
    package func reset() {
        // sqlite3_reset repeats the last step's error code, which step() has already thrown.
        sqlite3_reset(handle)
    }

    // MARK: Binding

    private func check(_ code: Int32, _ index: Int32) throws {
        // The bind functions return SQLITE_OK, SQLITE_RANGE for a bad index, SQLITE_NOMEM or SQLITE_TOOBIG.
        guard code == SQLITE_OK else { throw database.error(code, "cannot bind parameter \(index)") }
    }

    package func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index), index)
    }

    package func bind(_ value: Int64, at index: Int32) throws {
        try check(sqlite3_bind_int64(handle, index, value), index)
    }

    package func bind(_ value: Double, at index: Int32) throws {
        try check(sqlite3_bind_double(handle, index, value), index)
    }

    package func bind(_ value: String, at index: Int32) throws {
        var text = value
        let code = text.withUTF8 { utf8 in
            // A NULL pointer would bind SQL NULL, so the empty string gets a real (empty) one.
            guard let base = utf8.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, sqliteTransient) }
            return sqlite3_bind_text(handle, index, base, Int32(utf8.count), sqliteTransient)
        }
        try check(code, index)
    }

    package func bind(blob bytes: some Collection<UInt8>, at index: Int32) throws {
        let code = bytes.withContiguousStorageIfAvailable { buffer in
            // A NULL pointer would bind SQL NULL, so the empty blob is bound as a zero-length one.
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob(handle, index, base, Int32(buffer.count), sqliteTransient)
        }
        if let code { try check(code, index) } else { try bind(blob: Array(bytes), at: index) }
    }

    package func bind(_ value: FieldValue, at index: Int32) throws {
        switch value {
        case .null: try bindNull(index)
        case .integer(let value): try bind(value, at: index)
        case .real(let value): try bind(value, at: index)
        case .text(let value): try bind(value, at: index)
        case .blob(let bytes): try bind(blob: bytes, at: index)
        }
    }

    // MARK: Columns

    package var columnCount: Int32 { sqlite3_column_count(handle) }

    package func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    package func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    package func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// The column as text (SQLite converts numbers); nil for NULL.
    package func text(_ column: Int32) -> String? {
        // sqlite3_column_text returns NULL for SQL NULL (and on out-of-memory); call it before _bytes.
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Runs `body` on the bytes of a column, valid only during the call (no copy).
    package func withBlob<T, E: Error>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        // sqlite3_column_blob returns NULL for a zero-length blob (and for SQL NULL).
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The column's value as it is stored, whatever the column's declared type.
    package func value(_ column: Int32) -> FieldValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: .integer(int64(column))
        case SQLITE_FLOAT: .real(double(column))
        case SQLITE_TEXT: text(column).map(FieldValue.text) ?? .null
        case SQLITE_BLOB: .blob(withBlob(column) { Array($0) })
        default: .null
        }
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}

/// `SQLITE_TRANSIENT`, which Swift does not import: SQLite copies the bound bytes at once.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
