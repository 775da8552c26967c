import CSQLite

/// Owns one `sqlite3*` connection: opened in `init`, closed once in `deinit`.
///
/// Statements prepared on it keep it alive, so it closes only after the last of them is
/// finalized. Not `Sendable`: a connection belongs to one thread at a time.
package final class SQLiteDatabase {
    package let handle: OpaquePointer
    /// The path as the caller named it, for error messages.
    package let path: String

    package enum Mode {
        /// `SQLITE_OPEN_READONLY`: never writes, never creates.
        case readOnly
        /// `SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE`.
        case create
    }

    /// Opens `path`. A read-only open of a file that is not a database succeeds: SQLite reads
    /// the header lazily, so the first statement reports `SQLITE_NOTADB`.
    /// - Throws: `FeatureIOError` of kind `.sqlite` (`.write` for `.create`) naming `path`.
    package init(path: String, mode: Mode) throws {
        // This SQLite is built with SQLITE_USE_URI, so a name starting "file:" would be read as a URI.
        let filename = path.hasPrefix("file:") ? "./" + path : path
        let flags = switch mode {
        case .readOnly: SQLITE_OPEN_READONLY
        case .create: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var handle: OpaquePointer?
        // Returns SQLITE_OK or an error code; on error the handle is usually still allocated
        // (to carry the message) and must be closed.
        let code = sqlite3_open_v2(filename, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            let failure = switch mode {
            case .readOnly: FeatureIOError(.sqlite, "cannot open the database: \(message)", file: path, sqliteCode: code)
            case .create: FeatureIOError(.write, "cannot create the file (does its directory exist and allow writing?): \(message)",
                                         file: path, sqliteCode: code)
            }
            throw failure
        }
        self.handle = handle
        self.path = path
        // Extended codes tell SQLITE_CONSTRAINT_PRIMARYKEY from SQLITE_CONSTRAINT_NOTNULL in errors.
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        // sqlite3_close_v2 returns SQLITE_OK; it defers the close while statements are unfinalized,
        // which cannot happen here because every statement holds a reference to self.
        sqlite3_close_v2(handle)
    }

    /// The error for a failed call that returned `code`, with SQLite's current message.
    package func error(_ code: Int32, _ context: String) -> FeatureIOError {
        let message = String(cString: sqlite3_errmsg(handle))
        return FeatureIOError(.sqlite, "\(context): \(message)", file: path, sqliteCode: code)
    }

    /// Runs one or more statements that return no rows.
    package func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        // Returns SQLITE_OK or an error code, with the message in errorMessage (freed by us).
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw FeatureIOError(.sqlite, "\(sql.prefix(80)): \(message)", file: path, sqliteCode: code)
        }
    }

    /// The rowid of the last row this connection inserted: for a table with an INTEGER PRIMARY
    /// KEY, that key (`sqlite3_last_insert_rowid` cannot fail; it returns 0 before any insert).
    package var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// Prepares one statement.
    package func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(database: self, sql: sql)
    }

    /// The rows of a query whose columns are all read by `row`.
    package func query<T>(_ sql: String, bind: (SQLiteStatement) throws -> Void = { _ in },
                          row: (SQLiteStatement) throws -> T) throws -> [T] {
        let statement = try prepare(sql)
        try bind(statement)
        var rows: [T] = []
        while try statement.step() {
            rows.append(try row(statement))
        }
        return rows
    }
}

@available(*, unavailable)
extension SQLiteDatabase: Sendable {}

/// Quotes an SQL identifier (a table or column name) so that any name is safe in a statement.
package func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacing("\"", with: "\"\"") + "\""
}

/// Quotes an SQL string literal.
package func quoteLiteral(_ text: String) -> String {
    "'" + text.replacing("'", with: "''") + "'"
}

/// `SQLITE_CONSTRAINT_PRIMARYKEY`, an extended result code Swift does not import (it is a macro
/// expression): a row's primary key is already taken.
package let sqliteConstraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
