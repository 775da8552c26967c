import Foundation

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
public func runProcess(_ executable: URL, _ arguments: [String], input: Data? = nil,
                       currentDirectory: URL? = nil, timeout: TimeInterval? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    // Read both pipes concurrently so that a chatty child never blocks on a full pipe, each on
    // a thread of its own: on Linux Dispatch's global queue has about as many workers as cores,
    // and two callers inside `blocking { }` (itself on that queue) held both workers while
    // their readers waited for one: the child blocked on a full pipe, the suite hung.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    group.enter()
    Thread { outData = readToEnd(out.fileHandleForReading.fileDescriptor); group.leave() }.start()
    group.enter()
    Thread { errData = readToEnd(err.fileHandleForReading.fileDescriptor); group.leave() }.start()
    let killer = timeout.map { seconds in
        let pid = process.processIdentifier
        let item = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
        return item
    }
    // A child that exits before reading all its input (an error on the header) closes the
    // pipe: the write must fail with EPIPE, not kill the test process with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    if let input { try? inPipe.fileHandleForWriting.write(contentsOf: input) }
    try? inPipe.fileHandleForWriting.close()
    process.waitUntilExit()
    // Cancelled once the child is gone, so its pid (reaped, free for reuse) is never signalled.
    killer?.cancel()
    group.wait()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         timedOut: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
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
