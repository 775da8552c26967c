import CPROJ
import GeometryEngine

/// One PROJ context (`proj_context_create` ... `proj_context_destroy`) and the messages PROJ
/// logs on it.
///
/// Thread-safety rule: a context, and every `PROJObject` made with it, belongs to one thread at
/// a time. Neither class is `Sendable`, so the compiler enforces the rule; values cross threads
/// as `XY`, `Geometry` and `CRSInfo`.
final class PROJContext {
    let handle: OpaquePointer
    private let messages = MessageBox()

    init() {
        // proj_context_create returns NULL only when it cannot allocate the context.
        guard let handle = proj_context_create() else { fatalError("proj_context_create: out of memory") }
        self.handle = handle
        let box = Unmanaged.passUnretained(messages).toOpaque()
        // The box is owned by self and outlives the handle (destroyed in deinit). A log
        // function of our own also keeps PROJ from writing to stderr.
        proj_log_func(handle, box, projLogHandler)
        _ = proj_log_level(handle, PJ_LOG_ERROR)
        // Grids come from the local proj-data only: a transform must never wait on the network
        // (PROJ_NETWORK=ON in the environment would otherwise turn it on). Returns 1 on success.
        _ = proj_context_set_enable_network(handle, 0)
    }

    deinit {
        proj_context_destroy(handle)
    }

    /// The error for a failed call, with what PROJ logged or else its error number's text;
    /// forgets the logged message.
    func error(_ kind: ProjectionError.Kind, _ summary: String, epsg: Int? = nil, point: XY? = nil) -> ProjectionError {
        // The log message is the specific one ("crs not found"); the error number is often
        // only the generic PROJ_ERR_OTHER, and is not reset by later successful calls.
        let code = proj_context_errno(handle)
        let detail = messages.last ?? (code == 0 ? nil : proj_context_errno_string(handle, code).map { String(cString: $0) })
        messages.last = nil
        let message = detail.map { "\(summary) (\($0))" } ?? summary
        return ProjectionError(kind, message: message, epsg: epsg, point: point)
    }

    /// Forgets what PROJ logged so far, before a call whose failure is to be reported.
    func clearMessages() {
        messages.last = nil
    }

    /// Takes ownership of an object returned by a PROJ call, or throws PROJ's error when it is NULL.
    func adopt(_ pointer: OpaquePointer?, _ operation: String) throws -> PROJObject {
        guard let pointer else { throw error(.proj, "\(operation) failed") }
        return PROJObject(context: self, owning: pointer)
    }

    /// The coordinate reference system with this EPSG code. See `proj_create`.
    /// - Throws: `ProjectionError.Kind.unknownCRS` when PROJ's database has no such CRS,
    ///   `.proj` when PROJ cannot open its database at all.
    func crs(epsg: Int) throws -> PROJObject {
        clearMessages()
        // Returns NULL when the code is unknown, and also when proj.db cannot be found.
        guard let pointer = proj_create(handle, "EPSG:\(epsg)") else {
            // Returns NULL when no proj.db can be opened (PROJ_DATA or the built-in path).
            guard proj_context_get_database_path(handle) != nil else {
                throw error(.proj, "PROJ cannot open its database proj.db; set PROJ_DATA to the folder holding it",
                            epsg: epsg)
            }
            throw error(.unknownCRS, "PROJ's database has no such coordinate reference system", epsg: epsg)
        }
        let object = PROJObject(context: self, owning: pointer)
        // Returns 1 for a CRS. "EPSG:n" names only CRSs today; this guards a PROJ that resolves
        // other object kinds (ellipsoids, units) by code.
        guard proj_is_crs(pointer) == 1 else {
            throw ProjectionError(.unknownCRS, message: "not a coordinate reference system", epsg: epsg)
        }
        return object
    }
}

@available(*, unavailable)
extension PROJContext: Sendable {}

/// Owns one `PJ*` (a CRS or a coordinate operation): created by a PROJ call, destroyed once in
/// `deinit`. Keeps its `PROJContext` alive, because PROJ objects use their context until destroyed.
final class PROJObject {
    let context: PROJContext
    let pointer: OpaquePointer

    /// Wraps an object that the caller owns and hands over.
    init(context: PROJContext, owning pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    deinit {
        proj_destroy(pointer)
    }
}

@available(*, unavailable)
extension PROJObject: Sendable {}

private final class MessageBox {
    var last: String?
}

// Called only for errors: the level is set to PJ_LOG_ERROR in `PROJContext.init`.
private let projLogHandler: PJ_LOG_FUNCTION = { userData, _, message in
    guard let message, let userData else { return }
    Unmanaged<MessageBox>.fromOpaque(userData).takeUnretainedValue().last = String(cString: message)
}
