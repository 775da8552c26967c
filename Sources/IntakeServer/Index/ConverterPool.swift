import GridLookup
import Synchronization

/// Converters from longitude/latitude into one grids file's CRS, lent to one request at a time.
///
/// A `LonLatConverter` owns a PROJ transformer: it is not `Sendable`, and creating one takes
/// tens of milliseconds, so requests borrow an idle one and give it back. The pool only grows
/// when more requests convert at once than it holds converters: at most one per thread that
/// runs requests, since a request never suspends while it holds one.
final class ConverterPool: Sendable {
    let targetEPSG: Int
    private let idle: Mutex<[IdleConverter]>

    /// A converter in the pool, held by no request. `@unchecked` because the compiler cannot see
    /// the lending protocol: `withConverter` takes a converter out, lends it to one body on one
    /// thread, and puts it back only when that body has returned (the body gets a borrow and
    /// cannot keep it), so a converter in `idle` has no other holder and may go to any thread.
    private struct IdleConverter: @unchecked Sendable {
        let converter: LonLatConverter
    }

    /// Prepares `prepared` converters (at least one, which proves PROJ can reach the CRS).
    /// - Throws: `ProjectionError` when PROJ has no way from WGS 84 to `targetEPSG`.
    init(targetEPSG: Int, prepared: Int) throws {
        self.targetEPSG = targetEPSG
        idle = Mutex(try (0..<max(1, prepared)).map { _ in IdleConverter(converter: try LonLatConverter(targetEPSG: targetEPSG)) })
    }

    /// Runs `body` with a converter no one else uses meanwhile.
    /// - Throws: `ProjectionError` when a new converter is needed and cannot be made.
    func withConverter<T>(_ body: (LonLatConverter) throws -> T) throws -> T {
        let converter = try take()
        defer { give(converter) }
        return try body(converter)
    }

    private func take() throws -> LonLatConverter {
        // A new converter is made outside the lock: it takes tens of milliseconds.
        if let idle = idle.withLock({ $0.popLast() }) { return idle.converter }
        return try LonLatConverter(targetEPSG: targetEPSG)
    }

    private func give(_ converter: LonLatConverter) {
        idle.withLock { $0.append(IdleConverter(converter: converter)) }
    }
}
