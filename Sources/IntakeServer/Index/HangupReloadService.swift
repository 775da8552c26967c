import ServiceLifecycle
import UnixSignals

/// Reloads the grids file on each SIGHUP, until the server shuts down.
struct HangupReloadService: Service {
    let reloader: Reloader

    func run() async throws {
        // UnixSignalsSequence ignores the signal's default action (which ends the process) while it runs.
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = await reloader.reload(trigger: "SIGHUP")
        }
    }
}
