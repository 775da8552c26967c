/// JSON text built byte by byte: the answers are small and their shape fixed, so they are
/// written directly instead of through an encoder (the single-point lookup is the hot path).
struct JSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends text that is already JSON (punctuation, keys, literals).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: json)
    }

    mutating func raw(_ json: String) {
        bytes.append(contentsOf: json.utf8)
    }

    /// Appends `text` as a JSON string, quoted and escaped.
    mutating func string<Text: StringProtocol>(_ text: Text) {
        Self.appendString(text, to: &bytes)
    }

    /// Appends a number; `null` when it is not finite (JSON has no NaN or infinity).
    mutating func number(_ value: Double) {
        guard value.isFinite else {
            raw("null")
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            bytes.append(contentsOf: "\(value)".utf8)
        }
    }

    mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `"text"` with `"`, `\` and control characters escaped, the rest as UTF-8.
    static func appendString<Text: StringProtocol>(_ text: Text, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 15)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The error body of every error answer: `{"error":"..."}` and a line end.
    static func errorBody(_ error: IntakeServerError) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + error.message.utf8.count)
        writer.raw("{\"error\":")
        writer.string(error.description)
        writer.raw("}\n")
        return writer.bytes
    }
}
