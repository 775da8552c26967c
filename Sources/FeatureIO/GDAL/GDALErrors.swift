import CGDAL

/// GDAL registers its drivers once per process; Swift runs this initializer exactly once,
/// whichever thread asks first.
let gdalDriversRegistered: Void = GDALAllRegister()

/// Runs `body` with GDAL's messages kept from stderr and turned into Swift errors.
///
/// GDAL's error handler stack and its "last error" are per thread: the quiet handler pushed
/// here silences only this thread's calls, and `failure(_:)` reads only their messages. A
/// GDAL call that fails returns its sentinel (NULL, or an `OGRErr` other than `OGRERR_NONE`);
/// callers guard on that and ask `GDALMessages.last` for the words.
func withGDALMessages<T>(_ body: () throws -> T) rethrows -> T {
    _ = gdalDriversRegistered
    // CPLPushErrorHandler returns nothing; CPLPopErrorHandler below restores the previous one.
    CPLPushErrorHandler(CPLQuietErrorHandler)
    defer { CPLPopErrorHandler() }
    CPLErrorReset()
    return try body()
}

enum GDALMessages {
    /// GDAL's last failure message on this thread (CE_Failure or CE_Fatal), or nil; resets it.
    static func lastFailure() -> String? {
        // CPLGetLastErrorType returns CE_None when nothing failed since CPLErrorReset.
        let type = CPLGetLastErrorType()
        guard type == CE_Failure || type == CE_Fatal else { return nil }
        // CPLGetLastErrorMsg returns a borrowed, never-NULL string (empty when there is none).
        let message = String(cString: CPLGetLastErrorMsg())
        CPLErrorReset()
        return message.isEmpty ? nil : message
    }

    /// `words`, followed by GDAL's own failure message when it left one.
    static func describe(_ words: String) -> String {
        lastFailure().map { "\(words) (GDAL: \(InputExcerpt.of($0, limit: 300)))" } ?? words
    }
}

/// A NULL-terminated array of C strings for GDAL's `char **` options, alive during `body`.
func withCStringList<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> T) rethrows -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let list: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return try list.withUnsafeBufferPointer { buffer in
        // The buffer is never empty: it holds at least the terminating NULL.
        try body(buffer.baseAddress!)
    }
}

/// As `withCStringList`, for the calls that take GDAL's `CSLConstList` (`char **`, not written to).
func withCSLConstList<T>(_ strings: [String], _ body: (CSLConstList) throws -> T) rethrows -> T {
    var copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return try copies.withUnsafeMutableBufferPointer { buffer in
        // The buffer is never empty: it holds at least the terminating NULL.
        try body(buffer.baseAddress!)
    }
}
