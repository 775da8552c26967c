import Foundation
import GridLookup

/// Converters from longitude/latitude into one grids file's CRS, lent to one request at a time.
///
/// A `LonLatConverter` owns a PROJ transformer: it is not `Sendable`, and creating one takes
/// tens of milliseconds, so requests borrow an idle one and give it back. The pool only grows
/// when more requests convert at once than it holds converters: at most one per thread that
/// runs requests, since a request never suspends while it holds one.
final class ConverterPool: @unchecked Sendable {
    let targetEPSG: Int
    // `idle` is touched only under `lock`; each converter is used by the one request holding it.
    private let lock = NSLock()
    private var idle: [LonLatConverter]

    /// Prepares `prepared` converters (at least one, which proves PROJ can reach the CRS).
    /// - Throws: `ProjectionError` when PROJ has no way from WGS 84 to `targetEPSG`.
    init(targetEPSG: Int, prepared: Int) throws {
        self.targetEPSG = targetEPSG
        idle = try (0..<max(1, prepared)).map { _ in try LonLatConverter(targetEPSG: targetEPSG) }
    }

    /// Runs `body` with a converter no one else uses meanwhile.
    /// - Throws: `ProjectionError` when a new converter is needed and cannot be made.
    func withConverter<T>(_ body: (LonLatConverter) throws -> T) throws -> T {
        let converter = try take()
        defer { give(converter) }
        return try body(converter)
    }

    private func take() throws -> LonLatConverter {
        lock.lock()
        if let converter = idle.popLast() {
            lock.unlock()
            return converter
        }
        lock.unlock()
        return try LonLatConverter(targetEPSG: targetEPSG)
    }

    private func give(_ converter: LonLatConverter) {
        lock.lock()
        idle.append(converter)
        lock.unlock()
    }
}
