import Foundation

/// A PostgreSQL/PostGIS connection as GDAL names it: `PG:"host=127.0.0.1 port=5432 dbname=city
/// user=grids"` (libpq's keywords, or a `postgresql://` URI after `PG:`), given where a file
/// path would be.
public enum DatabaseConnection {
    /// Whether `source` names a database rather than a file: it starts with `PG:` (any case).
    public static func isConnection(_ source: String) -> Bool {
        source.count > 3 && source.prefix(3).uppercased() == "PG:"
    }

    /// `connection` as messages may show it: the password's value (`password=...`, quoted or
    /// not, or a URI's `user:password@`) replaced by `***`, so that an error or a log line never
    /// carries it.
    public static func redacted(_ connection: String) -> String {
        var text = connection
        for (pattern, template) in [(#"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)"#, "$1***"),
                                    (#"(://[^:/@\s]*:)[^@\s]*@"#, "$1***@")] {
            // The patterns are constants: they compile.
            let expression = try! NSRegularExpression(pattern: pattern)
            text = expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    /// What a message calls the source: the redacted connection, or the path as given.
    public static func displayName(_ source: String) -> String {
        isConnection(source) ? redacted(source) : source
    }
}
