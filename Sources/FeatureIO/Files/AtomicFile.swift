import Foundation

/// Writes a file all at once or not at all: the content goes to a temporary file in the same
/// directory (so the same file system), which is flushed to disk and then renamed over `path`.
/// A failure or an interrupted run leaves any previous file at `path` untouched.
///
/// `path` goes through `FileCheck.outputFile` first: a FIFO, a socket, a device or a directory
/// is refused before anything is written, and a symbolic link is written through (the
/// temporary file goes next to its target, which it replaces; the link stays).
public enum AtomicFile {
    /// Runs `body` on a fresh temporary path next to `path` (or its link's target), then moves
    /// the result into place. On any error the temporary file is removed and the error, located
    /// at `path`, rethrown.
    public static func write(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let target = try FileCheck.outputFile(path)
        let temporary = temporaryPath(for: target)
        do {
            try body(temporary)
            try flush(temporary, for: path)
            // rename(2) returns 0, or -1 with errno; it replaces an existing file atomically.
            guard rename(temporary, target) == 0 else {
                throw FeatureIOError(.write, "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            guard var located = error as? FeatureIOError else {
                throw FeatureIOError(.write, "\(error)", file: path)
            }
            located.file = path
            throw located
        }
    }

    /// Writes `bytes` to `path` as `write(to:_:)` does.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        try write(to: path) { temporary in
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw FeatureIOError(.write, "cannot write the file: \(error.localizedDescription)")
            }
        }
    }

    /// A name for the temporary file next to `target`: hidden, unique, on the same file system.
    public static func temporaryPath(for target: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
    }

    /// Forces the file's bytes to disk, so that the rename never exposes a file whose content
    /// is still only in the page cache when the machine goes down.
    private static func flush(_ temporary: String, for path: String) throws {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            try handle.synchronize()
        } catch {
            throw FeatureIOError(.write, "cannot flush the file to disk: \(error.localizedDescription)", file: path)
        }
    }
}
