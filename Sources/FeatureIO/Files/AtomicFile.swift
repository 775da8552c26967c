import Foundation

/// Writes a file all at once or not at all: the content goes to a temporary file in the same
/// directory (so the same file system), which is flushed to disk and then renamed over `path`.
/// A failure or an interrupted run leaves any previous file at `path` untouched.
enum AtomicFile {
    /// Runs `body` on a fresh temporary path next to `path`, then moves the result into place.
    /// On any error the temporary file is removed and the error, located at `path`, rethrown.
    static func write(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        do {
            try body(temporary)
            try flush(temporary, for: path)
            // rename(2) returns 0, or -1 with errno; it replaces an existing file atomically.
            guard rename(temporary, path) == 0 else {
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
