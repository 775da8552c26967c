import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers `GET /v1/locate` where the request is read: on the connection's event loop, in the
/// HTTP/1 pipeline ahead of Hummingbird's router. Every other request goes on to the router.
///
/// A single-point lookup takes a few microseconds; handing it to Hummingbird costs more than
/// that (an async stream per connection, a task and its executor hops per request), and event
/// intake sends mostly single points. The answer is the router's own: the same
/// `IntakeResponder.locateOne`, the same metrics and logs, the same JSON errors.
///
/// Answers leave in the order the requests came (HTTP/1.1 pipelining): while a request passed
/// on to the router has not been answered in full, the requests after it are passed on too.
///
/// The answer is written as HTTP/1.1 bytes through the response encoder's context, so that it
/// skips the conversion to HTTP/1 types and the encoder (a fifth of the server's time per
/// request in a profile); should the pipeline have no `HTTPResponseEncoder`, it is written as
/// response parts like any other answer.
///
/// It never takes more than it can send: while `maxAnswersInFlight` of its answers are not yet
/// written to the socket, or the socket's send buffer is full (the channel is not writable: a
/// client pipelining requests without reading the answers), it holds back the channel's reads,
/// so that memory stays bounded instead of growing with what the client sends.
///
/// It also tells the connection's `ConnectionGuard` when a request's head and end have been read
/// and when an answer has ended, for the header, body and idle timeouts.
final class LocateChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let responder: IntakeResponder
    /// The request answered here whose head has been read and whose end has not.
    private var answering: (head: HTTPRequest, started: Double)?
    /// Requests passed on to the router whose answer has not ended yet.
    private var passedOn = 0
    private var date = HTTPDate()
    /// The context of the pipeline's `HTTPResponseEncoder`: bytes written through it go to the
    /// socket as they are.
    private var encoded: ChannelHandlerContext?
    /// The connection's deadlines (nil in a pipeline without one).
    private var deadlines: ConnectionGuard?
    /// Answers of this handler handed to the socket whose write has not completed.
    private var answersInFlight = 0
    /// Whether a read was held back because too much is in flight.
    private var readHeld = false

    /// Answers written and not yet sent past which the handler stops reading requests.
    static let maxAnswersInFlight = 64

    init(responder: IntakeResponder) {
        self.responder = responder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        encoded = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        deadlines = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        encoded = nil
        deadlines = nil
    }

    func read(context: ChannelHandlerContext) {
        if isBackedUp(context) {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReading(context)
        context.fireChannelWritabilityChanged()
    }

    private func isBackedUp(_ context: ChannelHandlerContext) -> Bool {
        answersInFlight >= Self.maxAnswersInFlight || !context.channel.isWritable
    }

    private func resumeReading(_ context: ChannelHandlerContext) {
        guard readHeld, !isBackedUp(context) else { return }
        readHeld = false
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        encoded = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            deadlines?.headRead()
            if passedOn == 0, head.method == .get, let path = head.path, Self.isLocate(path) {
                answering = (head, monotonicSeconds())
                return
            }
            passedOn += 1
            context.fireChannelRead(data)
        case .body:
            // A GET's body means nothing here, as in the router.
            if answering == nil { context.fireChannelRead(data) }
        case .end:
            deadlines?.requestRead()
            guard let (head, started) = answering else {
                context.fireChannelRead(data)
                return
            }
            answering = nil
            answer(head, started: started, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The router's answer to a request passed on has ended.
        if case .end = unwrapOutboundIn(data) {
            passedOn = max(0, passedOn - 1)
            deadlines?.answerEnded()
        }
        context.write(data, promise: promise)
    }

    /// Whether `path` (with its query) is `/v1/locate`.
    static func isLocate(_ path: String) -> Bool {
        let route = "/v1/locate".utf8
        var bytes = path.utf8.makeIterator()
        for expected in route where bytes.next() != expected { return false }
        let next = bytes.next()
        return next == nil || next == UInt8(ascii: "?")
    }

    private func answer(_ head: HTTPRequest, started: Double, context: ChannelHandlerContext) {
        let path = head.path ?? ""
        let query = path.firstIndex(of: "?").map { path[path.index(after: $0)...] } ?? ""
        let status: HTTPResponse.Status
        let body: [UInt8]
        var lookups: ServerMetrics.LookupCounts?
        do {
            (body, lookups) = try responder.locateOne(query: query)
            status = .ok
        } catch {
            body = JSONWriter.errorBody(error)
            status = error.kind.status
        }
        let closing = head.headerFields[.connection]?.lowercased() == "close"
        let written: EventLoopFuture<Void>
        if let encoded {
            var bytes = context.channel.allocator.buffer(capacity: body.count + 160)
            bytes.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\ncontent-type: application/json\r\ncontent-length: ")
            bytes.writeString(String(body.count))
            bytes.writeString("\r\ndate: ")
            bytes.writeString(date.now())
            bytes.writeString(closing ? "\r\nconnection: close\r\n\r\n" : "\r\n\r\n")
            bytes.writeBytes(body)
            written = encoded.writeAndFlush(NIOAny(IOData.byteBuffer(bytes)))
        } else {
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(body.count)
            fields[.date] = date.now()
            if closing { fields[.connection] = "close" }
            context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
            context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
            written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        }
        deadlines?.answerEnded()
        answersInFlight += 1
        let handler = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        written.whenComplete { _ in
            let (handler, context) = handler.value
            handler.answersInFlight -= 1
            if closing {
                context.close(promise: nil)
            } else {
                handler.resumeReading(context)
            }
        }
        responder.record(method: .get, path: path, route: .locate, status: status.code, started: started, lookups: lookups)
    }
}

@available(*, unavailable)
extension LocateChannelHandler: Sendable {}

/// The `Date` header's value (RFC 9110 IMF-fixdate), made again only when the second changes.
struct HTTPDate {
    private var second = -1
    private var text = ""

    mutating func now() -> String {
        var seconds = time(nil)
        guard seconds != second else { return text }
        second = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        return text
    }
}
