import Foundation

/// The path of `name` on `PATH`, or nil when it is not installed.
public func installedTool(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":")
        .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Whether GDAL's `ogrinfo` and `ogr2ogr` are installed (for `.enabled(if:)` on tests that use them).
public let gdalInstalled = installedTool("ogrinfo") != nil && installedTool("ogr2ogr") != nil

/// Runs GDAL's `ogrinfo` with `args`: its exit status and its standard output followed by its
/// standard error (where GDAL writes its `ERROR` and `Warning` lines). Nil when ogrinfo is not installed.
public func ogrinfo(_ args: [String]) -> (status: Int32, output: String)? {
    runGDALTool("ogrinfo", args)
}

/// Runs GDAL's `ogr2ogr` with `args`, as `ogrinfo(_:)` runs ogrinfo.
public func ogr2ogr(_ args: [String]) -> (status: Int32, output: String)? {
    runGDALTool("ogr2ogr", args)
}

private func runGDALTool(_ name: String, _ args: [String]) -> (status: Int32, output: String)? {
    guard let executable = installedTool(name),
          let result = try? runProcess(executable, args) else { return nil }
    return (result.status, result.stdout + result.stderr)
}
