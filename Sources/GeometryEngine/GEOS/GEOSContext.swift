import CGEOS

/// One GEOS context handle (`GEOS_init_r` ... `GEOS_finish_r`) and the messages GEOS reports on it.
///
/// Thread-safety rule: a context, and every `GEOSObject`, `PreparedGeometry` and `SpatialTree`
/// made with it, belongs to one thread at a time. These classes are not `Sendable`, so the
/// compiler enforces the rule; parallel work makes one context per task (creating one costs
/// about 90 ns). Values cross threads as `Geometry`.
package final class GEOSContext {
    package let handle: GEOSContextHandle_t
    private let messages = MessageBox()

    package init() {
        // GEOS_init_r returns NULL only when it cannot allocate its small context struct.
        guard let handle = GEOS_init_r() else { fatalError("GEOS_init_r: out of memory") }
        self.handle = handle
        let box = Unmanaged.passUnretained(messages).toOpaque()
        // The box is owned by self and outlives the handle (finished in deinit).
        _ = GEOSContext_setErrorMessageHandler_r(handle, geosErrorHandler, box)
        _ = GEOSContext_setNoticeMessageHandler_r(handle, nil, nil)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// The error for a failed call of `operation`, with GEOS's last message; clears it.
    package func error(_ operation: String) -> GeometryError {
        let message = messages.last ?? "failed without a message"
        messages.last = nil
        return GeometryError(.geos, operation: operation, message: message)
    }

    /// Takes ownership of a geometry returned by a GEOS call, or throws GEOS's error when it is NULL.
    package func adopt(_ pointer: OpaquePointer?, _ operation: String) throws -> GEOSObject {
        guard let pointer else { throw error(operation) }
        return GEOSObject(context: self, owning: pointer)
    }

    /// Turns a GEOS predicate result into a Bool. Predicates return 2 on exception, 1 on true, 0 on false.
    package func predicate(_ result: CChar, _ operation: String) throws -> Bool {
        switch result {
        case 1: return true
        case 0: return false
        default: throw error(operation)
        }
    }

    /// Checks a status result: most accessors return 0 on exception.
    package func check(_ result: Int32, _ operation: String) throws {
        guard result != 0 else { throw error(operation) }
    }
}

@available(*, unavailable)
extension GEOSContext: Sendable {}

private final class MessageBox {
    var last: String?
}

private let geosErrorHandler: GEOSMessageHandler_r = { message, userData in
    guard let message, let userData else { return }
    Unmanaged<MessageBox>.fromOpaque(userData).takeUnretainedValue().last = String(cString: message)
}
