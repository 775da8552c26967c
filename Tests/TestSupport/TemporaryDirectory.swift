import Foundation

/// A fresh, empty directory for one test, removed with everything in it when the value goes
/// away (hold it in a local `let` for the length of the test).
public final class TemporaryDirectory: Sendable {
    public let url: URL

    /// Creates `gridweave-<uuid>` under the system's temporary directory.
    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gridweave-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The directory's path.
    public var path: String { url.path }

    /// The path of `name` inside the directory.
    public func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// The URL of `name` inside the directory.
    public func url(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// The names of the files in the directory, sorted (hidden ones included).
    public func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
