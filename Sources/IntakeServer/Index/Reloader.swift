import GridLookup
import Logging

/// A reload as the server does it, from `POST /v1/reload` or SIGHUP: load, swap, count, log.
struct Reloader: Sendable {
    let store: GridStore
    let metrics: ServerMetrics
    let logger: Logger

    /// Reloads the grids file; on failure the old one goes on serving and the error is logged.
    /// - Parameter trigger: what asked for it (`request`, `SIGHUP`), for the log.
    func reload(trigger: String) async -> Result<GridSnapshot.Info, GridLookupError> {
        let started = monotonicSeconds()
        let result = await store.reload()
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
                "trigger": "\(trigger)", "file": "\(store.path)", "error": "\(error)",
                "generation": "\(store.current.info.generation)",
            ])
        }
        return result
    }
}
