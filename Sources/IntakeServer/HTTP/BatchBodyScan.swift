/// What a batch's JSON text says that `JSONDecoder` does not keep: a key given twice in one
/// object (rejected: a proxy that keeps the last value would read the request otherwise than
/// this server, which would keep the first), and the exact text of each point's numeric `id`
/// (an id beyond 2^53 would otherwise come back rounded, and two events share it).
///
/// A scan of the bytes with an explicit stack, so any depth is safe; it stops quietly at the
/// first byte that is not JSON and leaves malformed text to the decoder's messages.
struct BatchBodyScan {
    /// The JSON text of `points[i].id` where it is a number, by `i`.
    private(set) var numericIDs: [Int: String] = [:]

    private enum Container {
        /// An object: the keys seen, the key whose value comes next, and its JSON path.
        case object(keys: Set<String>, key: String?, path: String)
        /// An array: the index of the next element, and its JSON path.
        case array(next: Int, path: String)
    }

    /// Scans `body`.
    /// - Throws: `IntakeServerError` (400) naming the object and the key given twice.
    static func scan(_ body: [UInt8]) throws(IntakeServerError) -> BatchBodyScan {
        var scan = BatchBodyScan()
        var stack: [Container] = []
        var position = 0
        var expectingKey = false
        while position < body.count {
            let byte = body[position]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":"):
                position += 1
            case UInt8(ascii: ","):
                position += 1
                if case .object = stack.last { expectingKey = true }
            case UInt8(ascii: "{"):
                stack.append(.object(keys: [], key: nil, path: childPath(stack)))
                expectingKey = true
                position += 1
            case UInt8(ascii: "["):
                stack.append(.array(next: 0, path: childPath(stack)))
                position += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard !stack.isEmpty else { return scan }
                stack.removeLast()
                valueEnded(&stack)
                expectingKey = false
                position += 1
            case UInt8(ascii: "\""):
                guard let (text, end) = string(body, from: position) else { return scan }
                position = end
                if expectingKey, case .object(var keys, _, let path) = stack.last {
                    guard keys.insert(text).inserted else {
                        let key = PointInput.clip(text)
                        throw IntakeServerError(.badRequest, field: path.isEmpty ? nil : path,
                                                message: "the key \"\(key)\" is given twice in one object; give each key once")
                    }
                    stack[stack.count - 1] = .object(keys: keys, key: text, path: path)
                    expectingKey = false
                } else {
                    valueEnded(&stack)
                }
            default:
                // A number or a literal: up to the next delimiter.
                var end = position
                while end < body.count, !Self.delimiters.contains(body[end]) { end += 1 }
                guard end > position else { return scan }
                if stack.count == 3, case .object(_, "points"?, _) = stack[0], case .array(let next, _) = stack[1],
                   case .object(_, "id"?, _) = stack[2], byte == UInt8(ascii: "-") || (byte &- UInt8(ascii: "0")) < 10 {
                    scan.numericIDs[next] = String(decoding: body[position..<end], as: UTF8.self)
                }
                position = end
                valueEnded(&stack)
            }
        }
        return scan
    }

    private static let delimiters: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "),
                                                 UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"), UInt8(ascii: ":")]

    /// The JSON path of a value about to begin inside the innermost container.
    private static func childPath(_ stack: [Container]) -> String {
        switch stack.last {
        case .object(_, let key, let path): path.isEmpty ? (key ?? "") : "\(path).\(key ?? "")"
        case .array(let next, let path): "\(path)[\(next)]"
        case nil: ""
        }
    }

    /// A value of the innermost container has ended: an array moves to its next element, an
    /// object waits for its next key.
    private static func valueEnded(_ stack: inout [Container]) {
        switch stack.last {
        case .array(let next, let path): stack[stack.count - 1] = .array(next: next + 1, path: path)
        case .object(let keys, _, let path): stack[stack.count - 1] = .object(keys: keys, key: nil, path: path)
        case nil: break
        }
    }

    /// The string starting at `start` (a quote), decoded, and the position after its closing
    /// quote; nil when it does not close or holds a malformed escape.
    private static func string(_ body: [UInt8], from start: Int) -> (String, Int)? {
        var scalars = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        var position = start + 1
        func flush() {
            scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes.removeAll(keepingCapacity: true)
        }
        var pendingHigh: UInt32?
        while position < body.count {
            let byte = body[position]
            if byte == UInt8(ascii: "\"") {
                flush()
                return (String(scalars), position + 1)
            }
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                position += 1
                continue
            }
            guard position + 1 < body.count else { return nil }
            let escape = body[position + 1]
            position += 2
            let simple: [UInt8: UInt8] = [UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
                                          UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
                                          UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09]
            if let value = simple[escape] {
                bytes.append(value)
                continue
            }
            guard escape == UInt8(ascii: "u"), position + 4 <= body.count,
                  let unit = UInt32(String(decoding: body[position..<position + 4], as: UTF8.self), radix: 16) else { return nil }
            position += 4
            flush()
            if (0xD800..<0xDC00).contains(unit) {
                pendingHigh = unit
            } else if (0xDC00..<0xE000).contains(unit), let high = pendingHigh {
                pendingHigh = nil
                if let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)) { scalars.append(scalar) }
            } else if let scalar = Unicode.Scalar(unit) {
                scalars.append(scalar)
            }
        }
        return nil
    }
}
