import Foundation
import IntakeServer
import Testing
import TestSupport

/// Starting and stopping an embedded server, many times over: a stop that can deadlock (issue
/// 24: a cancelled task sitting in swift-async-algorithms' `merge` while another thread held its
/// lock) shows up here as a time limit exceeded, not as a CI run that never ends.
@Suite(.timeLimit(.minutes(10))) struct LifecycleTests {
    /// Hundreds of start, load, stop cycles, each stop bounded: a server that does not stop
    /// within 10 s fails the test with the cycle it stalled on.
    @Test func startLoadAndStopManyTimes() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let cycles = ProcessInfo.processInfo.environment["GRIDWEAVE_LIFECYCLE_CYCLES"].flatMap(Int.init) ?? 200
        for cycle in 0..<cycles {
            let server = try await TestServer.start(grids: grids)
            // Load on both paths: the fast path (single point), the router (batch, healthz).
            async let one = server.get("/v1/locate?lon=121.4013&lat=31.2012")
            async let batch = server.post("/v1/locate", body: #"{"points": [{"id": 1, "lon": 121.4013, "lat": 31.2012}]}"#)
            async let health = server.get("/healthz")
            let answers = try await [one, batch, health]
            #expect(answers.map(\.status) == [200, 200, 200], "cycle \(cycle)")
            try await server.stop(within: TestServer.stopLimit, cycle: cycle)
        }
    }
}

extension LifecycleTests {
    /// Servers stopped at the moment their date timer ticks (Hummingbird's `DateCache` waits
    /// in `merge` and wakes every second): the window in which cancelling the task deadlocked.
    /// With `GRIDWEAVE_STOP_BY_CANCEL=1` the servers are stopped the old way, by cancelling
    /// their task, which is how the hang of issue 24 is reproduced (`tools/repeat-suite`).
    @Test func stopManyServersAtTheirTimerTick() async throws {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try HandMadeGrids.write(to: grids)
        let rounds = ProcessInfo.processInfo.environment["GRIDWEAVE_TICK_ROUNDS"].flatMap(Int.init) ?? 6
        let byCancel = ProcessInfo.processInfo.environment["GRIDWEAVE_STOP_BY_CANCEL"] == "1"
        for round in 0..<rounds {
            let servers = try await withThrowingTaskGroup(of: TestServer.self) { group in
                for _ in 0..<12 { group.addTask { try await TestServer.start(grids: grids) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(960 + 10 * (round % 8)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for server in servers {
                    group.addTask {
                        if byCancel {
                            try await server.cancel(within: TestServer.stopLimit, cycle: round)
                        } else {
                            try await server.stop(within: TestServer.stopLimit, cycle: round)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
