import Foundation

/// The secret that admin routes (`POST /v1/reload`, and `/metrics` unless opened) ask for, read
/// from a file only its owner may read, as ssh treats a private key.
public struct AdminToken: Sendable {
    private let secret: [UInt8]

    /// Reads the token: the file's content without surrounding white space.
    /// - Throws: `IntakeServerError` of kind `.startup` when the file is not a regular file,
    ///   can be read by its group or others, cannot be read, or holds no token.
    public init(contentsOf path: String) throws(IntakeServerError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw IntakeServerError(.startup, message: "--admin-token-file \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw IntakeServerError(.startup, message: "--admin-token-file \(path): not a regular file")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw IntakeServerError(.startup, message: "--admin-token-file \(path): readable by its group or others (mode "
                                        + "\(String(mode, radix: 8))); make it the owner's alone: chmod 600 \(path)")
        }
        guard status.st_size <= 4096, let data = FileManager.default.contents(atPath: path) else {
            throw IntakeServerError(.startup, message: "--admin-token-file \(path): cannot be read, or longer than 4096 bytes")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw IntakeServerError(.startup, message: "--admin-token-file \(path): empty; write a long random token into it "
                                        + "(for example: openssl rand -hex 32 > \(path))")
        }
        secret = Array(text.utf8)
    }

    /// A token given directly (tests).
    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    /// Whether an `Authorization` header carries this token as `Bearer <token>`, compared in
    /// time that does not depend on where the two first differ.
    func isCarried(by authorization: String?) -> Bool {
        guard let authorization else { return false }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else { return false }
        let given = Array(authorization.utf8.dropFirst(scheme.utf8.count))
        var difference = UInt8(truncatingIfNeeded: given.count ^ secret.count)
        for index in 0..<max(given.count, secret.count) {
            let a = index < given.count ? given[index] : 0
            let b = index < secret.count ? secret[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && given.count == secret.count
    }
}
