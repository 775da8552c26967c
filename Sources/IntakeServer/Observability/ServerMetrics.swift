import Synchronization

/// The routes the server answers, as metric labels: the route's pattern, never the path a
/// client sent, so the number of series stays fixed.
enum RoutePattern: Int, CaseIterable, Sendable {
    case locate, grid, reload, healthz, metrics, unmatched

    var label: String {
        switch self {
        case .locate: "/v1/locate"
        case .grid: "/v1/grids/{code}"
        case .reload: "/v1/reload"
        case .healthz: "/healthz"
        case .metrics: "/metrics"
        case .unmatched: "unmatched"
        }
    }
}

/// The method as a metric label: GET, POST or other (bounded, whatever a client sends).
enum MethodLabel: Int, CaseIterable, Sendable {
    case get, post, other

    var label: String {
        switch self {
        case .get: "GET"
        case .post: "POST"
        case .other: "other"
        }
    }
}

/// Counters and a latency histogram, rendered in the Prometheus text format (0.0.4).
///
/// One lock guards them all; a request takes it once, after its answer is made.
final class ServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let latencyBuckets: [Double] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    private struct RequestKey: Hashable {
        var route: RoutePattern
        var method: MethodLabel
        var status: Int
    }

    private struct Histogram {
        var buckets = [Int](repeating: 0, count: ServerMetrics.latencyBuckets.count)
        var count = 0
        var sum = 0.0
    }

    private struct Counts {
        var requests: [RequestKey: Int] = [:]
        var latency = [Histogram](repeating: Histogram(), count: RoutePattern.allCases.count)
        /// inside, near, outside, invalid.
        var lookups = [Int](repeating: 0, count: 4)
        var reloadSuccesses = 0
        var reloadFailures = 0
        var lastReloadSeconds = Double.nan
    }

    private let counts = Mutex(Counts())

    /// Lookups of one request, by status.
    struct LookupCounts: Sendable {
        var inside = 0
        var near = 0
        var outside = 0
        var invalid = 0
    }

    /// Counts one answered request.
    func recordRequest(route: RoutePattern, method: MethodLabel, status: Int, seconds: Double, lookups: LookupCounts?) {
        let bucket = Self.latencyBuckets.firstIndex { seconds <= $0 }
        counts.withLock { counts in
            counts.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            counts.latency[route.rawValue].count += 1
            counts.latency[route.rawValue].sum += seconds
            if let bucket { counts.latency[route.rawValue].buckets[bucket] += 1 }
            if let lookups {
                counts.lookups[0] += lookups.inside
                counts.lookups[1] += lookups.near
                counts.lookups[2] += lookups.outside
                counts.lookups[3] += lookups.invalid
            }
        }
    }

    /// Counts one reload (by request or by SIGHUP).
    func recordReload(succeeded: Bool, seconds: Double) {
        counts.withLock { counts in
            if succeeded { counts.reloadSuccesses += 1 } else { counts.reloadFailures += 1 }
            counts.lastReloadSeconds = seconds
        }
    }

    /// The metrics page, with gauges of the snapshot being served.
    func render(serving info: GridSnapshot.Info) -> String {
        // A copy, so that the page is written outside the lock.
        let counts = self.counts.withLock { $0 }
        let requests = counts.requests, latency = counts.latency, lookups = counts.lookups
        let reloads = (counts.reloadSuccesses, counts.reloadFailures, counts.lastReloadSeconds)

        var out = ""
        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        header("gridweave_http_requests_total", "counter", "HTTP requests answered, by route pattern, method and status code.")
        let keys = requests.keys.sorted { ($0.route.rawValue, $0.method.rawValue, $0.status) < ($1.route.rawValue, $1.method.rawValue, $1.status) }
        for key in keys {
            out += "gridweave_http_requests_total{route=\"\(key.route.label)\",method=\"\(key.method.label)\",status=\"\(key.status)\"} "
                + "\(requests[key] ?? 0)\n"
        }
        header("gridweave_http_request_duration_seconds", "histogram",
               "Time from a request's head to its answer, by route pattern.")
        for route in RoutePattern.allCases {
            let histogram = latency[route.rawValue]
            var cumulative = 0
            for (bound, count) in zip(Self.latencyBuckets, histogram.buckets) {
                cumulative += count
                out += "gridweave_http_request_duration_seconds_bucket{route=\"\(route.label)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "gridweave_http_request_duration_seconds_bucket{route=\"\(route.label)\",le=\"+Inf\"} \(histogram.count)\n"
            out += "gridweave_http_request_duration_seconds_sum{route=\"\(route.label)\"} \(histogram.sum)\n"
            out += "gridweave_http_request_duration_seconds_count{route=\"\(route.label)\"} \(histogram.count)\n"
        }
        header("gridweave_lookups_total", "counter", "Points looked up, by the status of their answer.")
        for (status, count) in zip(["inside", "near", "outside", "invalid"], lookups) {
            out += "gridweave_lookups_total{status=\"\(status)\"} \(count)\n"
        }
        header("gridweave_reloads_total", "counter", "Reloads of the grids file (POST /v1/reload or SIGHUP), by outcome.")
        out += "gridweave_reloads_total{outcome=\"success\"} \(reloads.0)\n"
        out += "gridweave_reloads_total{outcome=\"failure\"} \(reloads.1)\n"
        header("gridweave_reload_last_duration_seconds", "gauge", "How long the last reload took, successful or not.")
        out += "gridweave_reload_last_duration_seconds \(reloads.2.isNaN ? "NaN" : "\(reloads.2)")\n"
        header("gridweave_index_generation", "gauge", "Which load of the grids file is served: 1 at start, one more per successful reload.")
        out += "gridweave_index_generation \(info.generation)\n"
        header("gridweave_index_grids", "gauge", "Grids in the file being served.")
        out += "gridweave_index_grids \(info.grids)\n"
        header("gridweave_index_microgrids", "gauge", "Micro-grids in the file being served.")
        out += "gridweave_index_microgrids \(info.microGrids)\n"
        header("gridweave_index_bytes", "gauge", "Bytes the lookup index being served holds.")
        out += "gridweave_index_bytes \(info.indexBytes)\n"
        header("gridweave_index_snapshots", "gauge", "Loaded grids files in memory: the one served, and old ones still answering.")
        out += "gridweave_index_snapshots \(GridSnapshot.alive.value)\n"
        header("gridweave_index_loaded_timestamp_seconds", "gauge", "When the file being served was loaded (Unix time).")
        out += "gridweave_index_loaded_timestamp_seconds \(info.loadedAt)\n"
        return out
    }
}
