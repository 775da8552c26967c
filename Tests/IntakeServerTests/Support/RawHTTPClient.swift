import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An answer read off the socket.
struct HTTPAnswer: Sendable {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (nil when it is not one).
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The `error` of a JSON error body.
    var error: String? { object?["error"] as? String }
}

struct HTTPClientError: Error, CustomStringConvertible {
    var description: String
}

/// A tiny HTTP/1.1 client over a real loopback socket: one request per connection
/// (`Connection: close`), sent as the exact bytes given, so tests can send what no library would
/// (malformed bodies, lying lengths, garbage). Blocking I/O runs on a Dispatch thread, never on
/// the cooperative threads the server in the same process answers on.
enum RawHTTPClient {
    static func get(_ port: Int, _ target: String) async throws -> HTTPAnswer {
        try await send(port, Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
    }

    static func request(_ port: Int, _ method: String, _ target: String, body: String = "",
                        contentType: String = "application/json", headers: [String: String] = [:]) async throws -> HTTPAnswer {
        let bytes = Array(body.utf8)
        let extra = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }.joined()
        let head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra
            + "Content-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\n\r\n"
        return try await send(port, Array(head.utf8) + bytes)
    }

    static func post(_ port: Int, _ target: String, body: String = "") async throws -> HTTPAnswer {
        try await request(port, "POST", target, body: body)
    }

    /// Sends `bytes` and reads the answer to the end of the connection.
    static func send(_ port: Int, _ bytes: [UInt8]) async throws -> HTTPAnswer {
        try parse(try await sendReadingAll(port, bytes))
    }

    /// Sends several requests on one connection in one write (HTTP/1.1 pipelining; the last
    /// should say `Connection: close`) and reads every answer, in the order they came.
    static func pipeline(_ port: Int, _ requests: [String]) async throws -> [HTTPAnswer] {
        var received = try await sendReadingAll(port, Array(requests.joined().utf8))[...]
        var answers: [HTTPAnswer] = []
        while !received.isEmpty {
            let answer = try parse(Array(received))
            guard let length = answer.headers["content-length"].flatMap(Int.init) else {
                throw HTTPClientError(description: "a pipelined answer without Content-Length")
            }
            let separator: [UInt8] = [13, 10, 13, 10]
            guard let headEnd = received.indices.first(where: { received[$0...].starts(with: separator) }) else { break }
            received = received[(headEnd + 4 + length)...]
            answers.append(answer)
        }
        return answers
    }

    /// `GET target` on the calling thread: for tests that time answers on a Dispatch thread,
    /// away from the cooperative threads other tests may hold for minutes.
    static func getBlocking(_ port: Int, _ target: String) throws -> HTTPAnswer {
        try parse(try exchange(port, Array("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)))
    }

    private static func sendReadingAll(_ port: Int, _ bytes: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(port, bytes) })
            }
        }
    }

    private static func exchange(_ port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let fd = try connectLoopback(port)
        defer { close(fd) }
        // A bound on every read and write, so a test fails instead of hanging.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // A server that answers early (413) may close before reading everything: read what it said.
            if written <= 0 { break }
            offset += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }

    private static func parse(_ bytes: [UInt8]) throws -> HTTPAnswer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw HTTPClientError(description: "no complete answer (\(bytes.count) bytes)")
        }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw HTTPClientError(description: "bad status line \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if let length = headers["content-length"].flatMap(Int.init), length < body.count { body = Array(body[0..<length]) }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }
}

/// A TCP socket connected to 127.0.0.1:`port` (blocking); the caller closes it.
func connectLoopback(_ port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPClientError(description: "socket: \(String(cString: strerror(errno)))") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let message = String(cString: strerror(errno))
        close(fd)
        throw HTTPClientError(description: "connect: \(message)")
    }
    return fd
}
