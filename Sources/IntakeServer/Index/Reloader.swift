import GridLookup
import Logging
import Synchronization

/// A reload as the server does it, from `POST /v1/reload` or SIGHUP: check, load, swap, count, log.
struct Reloader: Sendable {
    let store: GridStore
    let metrics: ServerMetrics
    let logger: Logger
    /// Seconds after which the reload is answered as failed while the load goes on.
    let timeout: Double

    /// Reloads the grids file; on failure the old one goes on serving and the error is logged.
    /// A path that is not a regular file (a FIFO, whose open would block) is refused before it
    /// is opened; a load that does not finish within `timeout` is answered as failed, so
    /// neither the request nor a shutdown waits for it.
    /// - Parameter trigger: what asked for it (`request`, `SIGHUP`), for the log.
    func reload(trigger: String) async -> Result<GridSnapshot.Info, GridLookupError> {
        let started = monotonicSeconds()
        let result: Result<GridSnapshot.Info, GridLookupError>
        if let problem = GridsFileCheck.problem(store.path) {
            result = .failure(GridLookupError(.unreadable, file: store.shownPath, message: problem))
        } else if let loaded = await firstWithin(seconds: timeout, { [store] in await store.reload() }) {
            result = loaded
        } else {
            result = .failure(GridLookupError(.unreadable, file: store.shownPath, message:
                "the load did not finish within \(Int(timeout)) s; it goes on, and its file is served if it loads"))
        }
        let seconds = monotonicSeconds() - started
        switch result {
        case .success(let info):
            metrics.recordReload(succeeded: true, seconds: seconds)
            logger.info("reloaded", metadata: [
                "trigger": "\(trigger)", "file": "\(info.file)", "generation": "\(info.generation)", "grids": "\(info.grids)",
                "microgrids": "\(info.microGrids)", "seconds": "\(seconds)",
                "index_seconds": "\(String(format: "%.3f", info.indexSeconds))", "index_source": "\(info.indexSource)",
                "index_note": "\(info.indexReason ?? "")",
                "converters_seconds": "\(String(format: "%.3f", info.convertersSeconds))",
                "features_seconds": "\(String(format: "%.3f", info.featuresReadSeconds + info.featuresTransformSeconds))",
            ])
        case .failure(let error):
            metrics.recordReload(succeeded: false, seconds: seconds)
            logger.error("reload failed; still serving the previous file", metadata: [
                "trigger": "\(trigger)", "file": "\(store.shownPath)", "error": "\(error)",
                "generation": "\(store.current.info.generation)",
            ])
        }
        return result
    }
}

/// The result of `operation` when it finishes within `seconds`, else nil; the operation is
/// not waited for past the deadline (a task group would wait for it), it goes on alone.
func firstWithin<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let answered = Flag()
    return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        Task {
            let value = await operation()
            if answered.set() { continuation.resume(returning: value) }
        }
        Task {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            if answered.set() { continuation.resume(returning: nil) }
        }
    }
}

/// A flag set once, from any thread.
final class Flag: Sendable {
    private let value = Mutex(false)

    /// Sets the flag; true for the caller that set it first.
    func set() -> Bool {
        value.withLock { value in
            defer { value = true }
            return !value
        }
    }

    var isSet: Bool { value.withLock { $0 } }
}
