import NIOCore
import NIOHTTP1

/// How long a connection may take over each part of a request, and how many may be open.
public struct ConnectionLimits: Sendable {
    /// Seconds from a request's first byte to the end of its head (request line and headers).
    public var headerTimeout: Double
    /// Seconds from a request's head to the end of its body.
    public var bodyTimeout: Double
    /// Seconds a connection may stay open with no request under way (keep-alive).
    public var idleTimeout: Double
    /// Connections open at once; past it, new connections wait in the listen backlog until one
    /// closes instead of being accepted until the process runs out of descriptors.
    public var maxConnections: Int

    public init(headerTimeout: Double = 10, bodyTimeout: Double = 30, idleTimeout: Double = 60, maxConnections: Int = 10_000) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }
}

/// The deadlines of one connection: it is closed when a request's head or body takes longer
/// than its timeout, or when it stays idle longer than the keep-alive timeout. A client that
/// trickles a byte every few seconds is closed like one that sends nothing.
///
/// Sits first in the pipeline, where it sees the raw bytes (the first byte of a request);
/// `LocateChannelHandler`, behind the HTTP decoder, tells it when a request's head and end
/// arrive and when an answer has ended.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// What the connection is waiting for.
    private enum Phase {
        /// No request under way: waiting, at most `idleTimeout`, for a request's first byte.
        case idle
        /// A request's first bytes came: its head must be complete within `headerTimeout`.
        case readingHead
        /// Its head came: its body must be complete within `bodyTimeout`.
        case readingBody
        /// Every request read is being answered: the server's time, no deadline.
        case answering
    }

    private let limits: ConnectionLimits
    private var phase = Phase.idle
    /// Requests read in full whose answer has not ended.
    private var unanswered = 0
    private var deadline: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { enter(.idle) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.idle)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if phase == .idle { enter(.readingHead) }
        context.fireChannelRead(data)
    }

    /// A request's head has been read.
    func headRead() {
        enter(.readingBody)
    }

    /// A request has been read to its end: the server answers it.
    func requestRead() {
        unanswered += 1
        if phase == .readingBody || phase == .readingHead { enter(.answering) }
    }

    /// An answer has been written to its end.
    func answerEnded() {
        unanswered = max(0, unanswered - 1)
        if unanswered == 0, phase == .answering { enter(.idle) }
    }

    private func enter(_ next: Phase) {
        phase = next
        deadline?.cancel()
        deadline = nil
        guard let context else { return }
        let seconds: Double
        switch next {
        case .idle: seconds = limits.idleTimeout
        case .readingHead: seconds = limits.headerTimeout
        case .readingBody: seconds = limits.bodyTimeout
        case .answering: return
        }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
            channel.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

/// Makes a request's keep-alive explicit: an HTTP/1.0 request without `Connection: keep-alive`
/// (or any request the decoder reads as not keep-alive) gets `Connection: close`, so that both
/// the lookup fast path and the router close the connection after answering it.
final class KeepAliveNormalizer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive else {
            context.fireChannelRead(data)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

@available(*, unavailable)
extension KeepAliveNormalizer: Sendable {}
