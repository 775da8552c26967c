import Dispatch
import FeatureIO
import Foundation
import GridLookup
import Synchronization

/// The snapshot being served, and reloads that replace it whole.
///
/// Requests read `current` (a lock held for one reference copy) and keep that snapshot to the
/// end; a reload builds the new snapshot on its own thread, off the threads that answer
/// requests, and swaps it in only when it is complete. Reloads run one at a time, in order. A
/// file that fails to load leaves the snapshot being served as it was.
final class GridStore: Sendable {
    /// The grids file (or database), read again on each reload: a database's newest tables.
    let path: String
    /// The path as messages and logs show it: a database's connection without its password.
    var shownPath: String { DatabaseConnection.displayName(path) }
    private let preparedConverters: Int
    private let snapshot: Mutex<GridSnapshot>
    /// Runs the loads, one after another.
    private let loads = DispatchQueue(label: "gridweave.serve.reload", qos: .utility)

    /// Loads the file for the first time.
    /// - Throws: `GridLookupError` when it cannot be loaded.
    init(path: String, preparedConverters: Int) throws {
        self.path = path
        self.preparedConverters = preparedConverters
        snapshot = Mutex(try GridSnapshot.load(path, generation: 1, converters: preparedConverters))
    }

    /// The snapshot to answer a request from.
    var current: GridSnapshot {
        snapshot.withLock { $0 }
    }

    /// Drops the last reference to a snapshot that is no longer served, here on the reload
    /// thread: freeing one (the index's arrays, tens of thousands of features) takes tens of
    /// milliseconds, and when the last request to hold it ended on an event loop, that loop's
    /// connections all waited for it. Requests hold a snapshot for one answer, so it is soon
    /// the only reference; after `patience` seconds it is let go wherever its last holder is.
    static func release(_ previous: inout GridSnapshot?, patience: Double = 10) {
        let deadline = monotonicSeconds() + patience
        while previous != nil, !isKnownUniquelyReferenced(&previous!), monotonicSeconds() < deadline {
            // No new reference can appear (it is no longer `current`), so this only waits for
            // the requests under way to end.
            usleep(1_000)
        }
        previous = nil
    }

    /// The file loaded as the next generation, sharing what it can with the snapshot served.
    /// A function of its own so that its reference to that snapshot ends with it, before
    /// `release` waits for the snapshot's last holder.
    private func loadNext() throws -> GridSnapshot {
        let served = current
        return try GridSnapshot.load(path, generation: served.info.generation + 1, converters: preparedConverters,
                                     reusing: served)
    }

    /// Loads the file again and, when that succeeds, serves it from then on.
    /// - Returns: what is served after the reload, or the load's error (the old file is still served).
    func reload() async -> Result<GridSnapshot.Info, GridLookupError> {
        await withCheckedContinuation { continuation in
            loads.async { Self.onLowPriorityThread { [self] in
                do {
                    let loaded = try loadNext()
                    var previous: GridSnapshot? = snapshot.withLock { served in
                        let previous = served
                        served = loaded
                        return previous
                    }
                    continuation.resume(returning: .success(loaded.info))
                    Self.release(&previous)
                } catch let error as GridLookupError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(GridLookupError(.unreadable, file: shownPath, message: "\(error)")))
                }
            } }
        }
    }

    /// Runs `body` on a thread of its own at nice 10 and waits for it. The reload's work (the
    /// stored index read and checked, the grids read again) is CPU taken from the event loops
    /// when the cores are busy; at a lower priority it yields to them and takes longer instead.
    private static func onLowPriorityThread(_ body: @escaping @Sendable () -> Void) {
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            #if os(Linux)
            // On Linux the nice value is per thread, and 0 names the calling one. Returns 0, or
            // -1 with errno (the load then runs at the usual priority).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            body()
            finished.signal()
        }
        thread.start()
        finished.wait()
    }
}
