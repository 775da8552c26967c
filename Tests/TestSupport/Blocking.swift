import Foundation

/// Runs blocking work (a child process, a wait, a partition that takes a minute) on a Dispatch
/// thread, so that it never holds one of the few cooperative threads other tests need: the
/// in-process servers of the server tests answer on them, and a test that holds both of a
/// 2-core machine's for minutes starves them into their time limits.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
