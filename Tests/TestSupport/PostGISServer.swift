import Foundation
import Synchronization

/// A real PostgreSQL 15 with PostGIS for one test: a cluster made by `initdb` in a temporary
/// directory, listening on a free loopback port (its Unix socket in that directory, never the
/// system's), with a database that has the `postgis` extension. No mock: what GDAL's PostgreSQL
/// driver does against it is what it does against a city office's server.
///
/// PostgreSQL refuses to run as root, so as root its programs run as the `postgres` user
/// (`runuser`), which owns the directory. Every step has a time limit, and the server is always
/// stopped (`pg_ctl stop -m immediate`, then SIGKILL to the postmaster if that did not end it)
/// and its directory removed: use `withPostGIS { }`, which stops it however the body ends.
public final class PostGISServer: Sendable {
    /// The PostgreSQL 15 programs (Debian's `postgresql-15`).
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// Whether PostgreSQL 15 and PostGIS are installed (`tools/install-deps`), for `.enabled(if:)`.
    public static let isAvailable = FileManager.default.isExecutableFile(atPath: binaries + "/initdb")
        && FileManager.default.fileExists(atPath: "/usr/share/postgresql/15/extension/postgis.control")
        && (geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") || FileManager.default.isExecutableFile(atPath: "/sbin/runuser"))

    public let port: Int
    public let database = "gridweave"
    /// The cluster's superuser (trusted on loopback only: a throwaway cluster).
    public let user = "gridweave"
    private let directory: String
    private let stopped = Mutex(false)

    /// The GDAL connection to the test database.
    public var connection: String { "PG:host=127.0.0.1 port=\(port) dbname=\(database) user=\(user)" }

    /// Seconds any one step (initdb, start, a query, stop) may take.
    static let stepTimeout: TimeInterval = 120

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Makes the cluster, starts it, creates the database and PostGIS in it. Blocking: call it
    /// inside `blocking { }`.
    public static func start() throws -> PostGISServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gridweave-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if geteuid() == 0 {
            // getpwnam returns the user's entry, or NULL when there is no such user.
            guard let entry = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw Failure(description: "no postgres user to run PostgreSQL as (it refuses root)")
            }
            // chown(2) returns 0, or -1 with errno.
            guard chown(directory, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
                try? FileManager.default.removeItem(atPath: directory)
                throw Failure(description: "cannot give \(directory) to postgres: \(String(cString: strerror(errno)))")
            }
        }
        let server = PostGISServer(directory: directory, port: try freeLoopbackPort())
        do {
            try server.run("initdb", ["-D", server.data, "-U", server.user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            try server.startServer()
            try server.sql("CREATE DATABASE \(server.database)", database: "postgres")
            try server.sql("CREATE EXTENSION postgis")
            return server
        } catch {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            server.stop()
            throw Failure(description: "\(error)\n\(log)")
        }
    }

    deinit { stop() }

    private var data: String { directory + "/data" }

    /// Stops the server at once and removes its directory; again is nothing.
    public func stop() {
        guard !stopped.withLock({ stopped in
            defer { stopped = true }
            return stopped
        }) else { return }
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            let status = try? pgCtl(["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"])
            if status != 0, let pid = postmasterPID() {
                kill(pid, SIGKILL)
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The postmaster's pid, from the first line of `postmaster.pid`.
    private func postmasterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return nil }
        return pid_t(line.trimmingCharacters(in: .whitespaces))
    }

    /// `pg_ctl start`, waiting until the server accepts connections. Spawned and waited for
    /// directly (posix_spawn, waitpid), not through Foundation's `Process`: in the test process
    /// its exit went unnoticed (the child left a zombie, `waitUntilExit` never returned), and the
    /// server it leaves running would hold any pipe open. Its output goes to `server.log`.
    private func startServer() throws {
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        let status = try pgCtl(["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o", options, "start"])
        guard status == 0 else { throw Failure(description: "pg_ctl start failed (status \(status))") }
    }

    /// Runs pg_ctl (as postgres when we are root) with its output thrown away, within the
    /// step's time limit (then SIGKILL); its exit status, or -1 when it did not exit normally.
    private func pgCtl(_ arguments: [String]) throws -> Int32 {
        let command = geteuid() == 0 ? [Self.runuser, "-u", "postgres", "--", Self.binaries + "/pg_ctl"] + arguments
                                     : [Self.binaries + "/pg_ctl"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        // posix_spawn returns 0, or an error number.
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot run pg_ctl: \(String(cString: strerror(spawned)))") }
        let deadline = Date().addingTimeInterval(Self.stepTimeout)
        var status: Int32 = 0
        // waitpid returns the pid once it exited, 0 while it runs (WNOHANG), -1 with errno.
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw Failure(description: "pg_ctl \(arguments.last ?? "") did not finish within \(Int(Self.stepTimeout)) s")
            }
            usleep(50_000)
        }
        // A normal exit has no signal in the low 7 bits and its status in the next 8.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }

    private static var runuser: String {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
    }

    /// Runs `sql` with psql in `database` (the test database by default); its output.
    @discardableResult
    public func sql(_ sql: String, database: String? = nil) throws -> String {
        let result = try run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)", "-U", user,
                                      "-d", database ?? self.database, "-c", sql])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs PostgreSQL's program `name` (as postgres when we are root) within the step's time limit.
    @discardableResult
    private func run(_ name: String, _ arguments: [String]) throws -> CommandResult {
        let program = Self.binaries + "/" + name
        let result: CommandResult
        if geteuid() == 0 {
            result = try runProcess(URL(fileURLWithPath: Self.runuser), ["-u", "postgres", "--", program] + arguments, timeout: Self.stepTimeout)
        } else {
            result = try runProcess(URL(fileURLWithPath: program), arguments, timeout: Self.stepTimeout)
        }
        if result.status != 0 || result.timedOut {
            throw Failure(description: "\(name) \(arguments.joined(separator: " ")) failed (status \(result.status)"
                          + "\(result.timedOut ? ", timed out" : "")): \(result.stdout)\(result.stderr)")
        }
        return result
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }
}

/// Runs `body` with a fresh PostGIS server, and stops the server when `body` ends, however it
/// ends (its start and stop run off the cooperative threads).
public func withPostGIS<T: Sendable>(_ body: (PostGISServer) async throws -> T) async throws -> T {
    let server = try await blocking { try PostGISServer.start() }
    do {
        let result = try await body(server)
        try await blocking { server.stop() }
        return result
    } catch {
        server.stop()
        throw error
    }
}

/// A loopback port nobody listens on now (the kernel's pick for port 0).
public func freeLoopbackPort() throws -> Int {
    // socket(2) returns a descriptor, or -1 with errno.
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw PostGISServer.Failure(description: "socket: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    // bind(2) and getsockname(2) return 0, or -1 with errno.
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0 else { throw PostGISServer.Failure(description: "bind: \(String(cString: strerror(errno)))") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw PostGISServer.Failure(description: "getsockname: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}
