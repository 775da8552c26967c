/// Input quoted in a message, made safe to print: a value from a file (a CSV field, a header,
/// an id, a layer or field name) can be megabytes long, binary, or hold terminal escapes that
/// would rewrite the screen of whoever reads the error.
///
/// Control characters are written as escapes (`\n`, `\t`, `\r`, `\x1B`), as are invisible
/// format characters (bidirectional overrides, zero-width spaces), unassigned and private-use
/// code points (`\u{202E}`); bytes that are not UTF-8 are written `\xFF`; and a text longer
/// than the limit is cut there and ends with `…`. Every message of the engine that echoes
/// input goes through this one helper.
public enum InputExcerpt {
    /// Characters of input kept in a message before it is cut.
    public static let defaultLimit = 80

    /// `text` for a message: escaped, and cut after `limit` characters (nil: never cut).
    public static func of(_ text: some StringProtocol, limit: Int? = defaultLimit) -> String {
        var out = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            if let limit, kept == limit {
                out += "…"
                break
            }
            append(scalar, to: &out)
            kept += 1
        }
        return out
    }

    /// Bytes of input for a message, as `of(_:limit:)` writes text; bytes that are not UTF-8
    /// are written `\xFF`. Reads no further than the limit needs, so a huge input costs nothing.
    public static func of(bytes: some Collection<UInt8>, limit: Int? = defaultLimit) -> String {
        // A scalar is at most 4 bytes: this window holds the limit's worth and shows whether more follows.
        let window = limit.map { Array(bytes.prefix($0 * 4 + 4)) } ?? Array(bytes)
        var out = ""
        var kept = 0
        var position = 0
        while position < window.count {
            if let limit, kept == limit {
                out += "…"
                break
            }
            let (scalar, length) = decode(window, at: position)
            if let scalar {
                append(scalar, to: &out)
            } else {
                out += "\\x" + hex(window[position], digits: 2)
            }
            position += length
            kept += 1
        }
        return out
    }

    /// The scalar whose UTF-8 starts at `position` and its length in bytes, or nil and 1 for a
    /// byte that does not start a well-formed sequence (overlong forms and surrogates included).
    private static func decode(_ bytes: [UInt8], at position: Int) -> (Unicode.Scalar?, Int) {
        let lead = bytes[position]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let (length, smallest): (Int, UInt32) = switch lead {
        case 0xC2...0xDF: (2, 0x80)
        case 0xE0...0xEF: (3, 0x800)
        case 0xF0...0xF4: (4, 0x10000)
        default: (0, 0)
        }
        guard length > 0, position + length <= bytes.count else { return (nil, 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for byte in bytes[(position + 1)..<(position + length)] {
            guard byte & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= smallest, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, length)
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x80 {
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(UInt8(scalar.value), digits: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
                return
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
                out += "\\u{" + hex(scalar.value, digits: 4) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
    }

    private static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
