import Foundation
import Synchronization

/// The result of running a program to completion.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Whether it was killed for running longer than its timeout.
    public var timedOut = false
}

/// Runs `executable` with `arguments`, feeding `input` on standard input, and waits for it,
/// killing it (SIGKILL) after `timeout` seconds when given: a test of something that could
/// block (a FIFO) fails instead of hanging the suite.
///
/// Spawned with `posix_spawn` and waited for with `waitid`, on the calling thread and threads
/// of its own, never on Dispatch: Foundation's `Process` learns that its child ended from a
/// handler that needs a Dispatch worker, and on a 2-core machine the tests that wait for
/// children held every worker; their children had long exited while the tests waited out
/// their 5-minute limits (IndexCommandTests, one full run in a few).
public func runProcess(_ executable: URL, _ arguments: [String], input: Data? = nil,
                       currentDirectory: URL? = nil, timeout: TimeInterval? = nil) throws -> CommandResult {
    // coreutils' env changes directory for the child (posix_spawn's addchdir is not in Swift's Glibc).
    let argv = currentDirectory.map { ["/usr/bin/env", "-C", $0.path, executable.path] + arguments } ?? [executable.path] + arguments
    let stdinPipe = try closeOnExecPipe(), stdoutPipe = try closeOnExecPipe(), stderrPipe = try closeOnExecPipe()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
    // The child starts with every signal at its default and none blocked (this process ignores SIGPIPE).
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var all = sigset_t(), none = sigset_t()
    sigfillset(&all)
    sigemptyset(&none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    let cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
    for end in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] { close(end) }
    guard spawned == 0 else {
        for end in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] { close(end) }
        throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
    }

    // Both pipes read at once, each on a thread of its own, so that a chatty child never blocks.
    let readers = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let (outFD, errFD) = (stdoutPipe[0], stderrPipe[0])
    readers.enter()
    Thread { outData = readToEnd(outFD); close(outFD); readers.leave() }.start()
    readers.enter()
    Thread { errData = readToEnd(errFD); close(errFD); readers.leave() }.start()
    let child = ChildWatch(pid: pid)
    if let timeout { Thread { child.kill(after: timeout) }.start() }
    // A child that exits before reading all its input closes the pipe: EPIPE, not SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    if let input { writeAll(input, to: stdinPipe[1]) }
    close(stdinPipe[1])
    let status = child.waitForExit()
    readers.wait()
    let signalled = status & 0x7f != 0
    return CommandResult(status: signalled ? status & 0x7f : (status >> 8) & 0xff,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         timedOut: signalled && status & 0x7f == SIGKILL && child.killed)
}

/// A pipe whose ends close on exec, so that no other child spawned meanwhile keeps one open
/// (and its reader waiting for an end of file). Swift's Glibc has no `pipe2`.
private func closeOnExecPipe() throws -> [Int32] {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    return ends
}

/// A spawned child: waited for, and killed at a deadline only while it has not been reaped
/// (its pid is never signalled once free for reuse).
private final class ChildWatch: Sendable {
    let pid: pid_t
    private let state = Mutex((ended: false, killed: false))

    init(pid: pid_t) { self.pid = pid }

    /// Whether the deadline killed it.
    var killed: Bool { state.withLock { $0.killed } }

    /// Waits until the child exits, then reaps it; its wait status.
    func waitForExit() -> Int32 {
        var info = siginfo_t()
        // Not reaped yet (WNOWAIT): a kill racing with the exit still signals this child.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        state.withLock { $0.ended = true }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Sleeps `seconds`, then kills the child if it still runs.
    func kill(after seconds: TimeInterval) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if state.withLock({ $0.ended }) { return }
            Thread.sleep(forTimeInterval: min(0.1, max(0, deadline.timeIntervalSinceNow)))
        }
        state.withLock { state in
            guard !state.ended else { return }
            state.killed = true
            Glibc.kill(pid, SIGKILL)
        }
    }
}

/// Writes all of `data` to `descriptor`, again after EINTR; stops at the first other error
/// (EPIPE: the child closed its input).
private func writeAll(_ data: Data, to descriptor: Int32) {
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            offset += count
        }
    }
}

/// Everything until end of file. Foundation's `readDataToEndOfFile` traps when a signal
/// interrupts its read (EINTR: seen in a test run while another test signalled a child); this
/// reads again.
private func readToEnd(_ descriptor: Int32) -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { return data }
        data.append(contentsOf: buffer[0..<count])
    }
}

/// The built `gridweave` executable, next to the test bundle in the build products directory.
public func gridweaveExecutable() -> URL? {
    var candidates: [URL] = []
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    // Up from inside an .xctest bundle (macOS) to the products directory.
    for _ in 0..<4 {
        candidates.append(directory.appendingPathComponent("gridweave"))
        directory.deleteLastPathComponent()
    }
    candidates.append(repositoryRoot.appendingPathComponent(".build/debug/gridweave"))
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// Runs the built `gridweave` with `arguments`.
public func runGridweave(_ arguments: [String], input: Data? = nil, currentDirectory: URL? = nil,
                         timeout: TimeInterval? = nil) throws -> CommandResult {
    guard let executable = gridweaveExecutable() else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "gridweave is not built; run swift build first"])
    }
    return try runProcess(executable, arguments, input: input, currentDirectory: currentDirectory, timeout: timeout)
}

/// The root of the repository (where Package.swift is).
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The bundled sample districts.
public func sampleDistrict(_ name: String) -> URL {
    repositoryRoot.appendingPathComponent("geodata").appendingPathComponent(name)
}
