import Dispatch

/// The threads that answer requests: the server's own (Dispatch's pool for one concurrent
/// queue), not the process's cooperative pool.
///
/// A server embedded in a process that also blocks cooperative threads (a test run doing
/// synchronous work, a tool) would otherwise stop answering while they are blocked; with its
/// own executor it answers regardless. Every task the server starts for a connection inherits
/// the preference.
///
/// On this executor a task can be enqueued again between taking a lock and registering a
/// continuation (swift-async-algorithms' `merge` does that, issue 430), and cancelling it in that
/// window deadlocks against the runtime's task lock. So no task of the server is ever cancelled
/// to stop it: `IntakeServer.shutdown()` and the signals stop it gracefully.
@available(macOS 15, *)
final class RequestExecutor: TaskExecutor {
    static let shared = RequestExecutor()

    private let queue = DispatchQueue(label: "gridweave.serve.requests", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
