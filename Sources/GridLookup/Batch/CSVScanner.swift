#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One field of a CSV record: a byte range of the buffer, and whether it was quoted (then its
/// content has doubled quotes to undo).
struct CSVField {
    var start: Int
    var end: Int
    var quoted: Bool
}

/// Splits RFC 4180 CSV into records and fields, in place over a byte buffer: fields separated
/// by commas, records by LF or CRLF, a field in double quotes may hold commas, quotes (doubled)
/// and line breaks.
///
/// Lenient where RFC 4180 is strict, as spreadsheets and scripts write CSV: text between a
/// closing quote and the next comma is dropped, a quote inside an unquoted field is a plain
/// character, and a CR counts as part of a line break only before LF.
enum CSVScanner {
    static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"),
               carriageReturn = UInt8(ascii: "\r"), apostrophe = UInt8(ascii: "'")

    /// Reads the record starting at `start` (which must be before `end`) into `fields`.
    /// - Returns: the offset just after the record's line break, or nil when the record does
    ///   not end before `end` (its line break, or its closing quote, is in a later chunk) and
    ///   `atEnd` is false. At the end of the input the record ends at `end`.
    static func record(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, atEnd: Bool,
                       into fields: inout [CSVField]) -> Int? {
        fields.removeAll(keepingCapacity: true)
        var position = start
        while true {
            if position < end && bytes[position] == quote {
                // Quoted: up to the quote not followed by another.
                var scan = position + 1
                var closed = false
                while scan < end {
                    if bytes[scan] == quote {
                        if scan + 1 < end && bytes[scan + 1] == quote {
                            scan += 2
                            continue
                        }
                        if scan + 1 == end && !atEnd { return nil }
                        closed = true
                        break
                    }
                    scan += 1
                }
                if !closed {
                    if !atEnd { return nil }
                    // Unterminated at the end of the input: the rest is the field.
                    fields.append(CSVField(start: position + 1, end: end, quoted: true))
                    return end
                }
                let fieldEnd = scan
                scan += 1
                // Anything between the closing quote and the delimiter (a CR, stray text) is dropped.
                while scan < end && bytes[scan] != comma && bytes[scan] != newline { scan += 1 }
                fields.append(CSVField(start: position + 1, end: fieldEnd, quoted: true))
                position = scan
            } else {
                var scan = position
                while scan < end && bytes[scan] != comma && bytes[scan] != newline { scan += 1 }
                var fieldEnd = scan
                if scan < end && bytes[scan] == newline && fieldEnd > position && bytes[fieldEnd - 1] == carriageReturn {
                    fieldEnd -= 1
                }
                fields.append(CSVField(start: position, end: fieldEnd, quoted: false))
                position = scan
            }
            if position >= end {
                if !atEnd { return nil }
                return end
            }
            if bytes[position] == newline { return position + 1 }
            position += 1  // the comma
        }
    }

    /// The offset just after the last complete record that begins at or after `start` (a
    /// record's start), finding ends as `record` does (`RecordEnds`); `start` when no record
    /// ends before `end`.
    static func lastRecordEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        if !containsQuote(bytes, from: start, to: end) {
            // Without quotes every line break ends a record: the last one is the cut.
            var position = end
            while position > start && bytes[position - 1] != newline { position -= 1 }
            return position
        }
        var ends = RecordEnds()
        var last = start
        for position in start..<end where ends.take(bytes[position]) { last = position + 1 }
        return last
    }

    /// The offset just after the first line break at or after `position` outside quotes, when
    /// the range has no quote at all (the caller checks); `end` when there is none.
    static func nextLineBreak(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int, to end: Int) -> Int {
        var position = position
        while position < end && bytes[position] != newline { position += 1 }
        return min(position + 1, end)
    }

    /// Whether the range holds a double quote.
    static func containsQuote(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        guard start < end, let base = bytes.baseAddress else { return false }
        return memchr(base + start, Int32(quote), end - start) != nil
    }

    /// The text of a field, with doubled quotes undone.
    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVField) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        guard field.quoted else { return String(decoding: raw, as: UTF8.self) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            unescaped.append(raw[k])
            k += raw[k] == quote && k + 1 < raw.count && raw[k + 1] == quote ? 2 : 1
        }
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// Appends a field's content to `out` as a CSV field: as is when it needs no quotes, else
    /// quoted with its quotes doubled. `content` is the field's text (quotes not doubled).
    static func appendField(_ content: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var needsQuotes = false
        for byte in content where byte == comma || byte == quote || byte == newline || byte == carriageReturn {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            out.append(contentsOf: content)
            return
        }
        out.append(quote)
        for byte in content {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }

    /// The length of the line from `start` to `end` without its line break (LF or CRLF), as
    /// `--max-line-bytes` counts it.
    static func lineLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var end = end
        if end > start && bytes[end - 1] == newline {
            end -= 1
            if end > start && bytes[end - 1] == carriageReturn { end -= 1 }
        }
        return end - start
    }

    /// Whether a cell's content would run as a formula in a spreadsheet: it starts with `=`,
    /// `+`, `-`, `@`, a tab or a carriage return (OWASP's list for CSV injection).
    static func startsFormula(_ content: some Collection<UInt8>) -> Bool {
        guard let first = content.first else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == UInt8(ascii: "\t") || first == carriageReturn
    }

    /// Appends an input cell (an id, a carried column) to `out` as it came, byte for byte, or,
    /// `neutralisingFormulas`, with a `'` before a content that `startsFormula`, so that a
    /// spreadsheet shows it as text instead of running it.
    static func appendCell(_ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVField, neutralisingFormulas: Bool,
                           to out: inout [UInt8]) {
        guard neutralisingFormulas, startsFormula(UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])) else {
            appendRaw(bytes, field, to: &out)
            return
        }
        if field.quoted {
            out.append(quote)
            out.append(apostrophe)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
            out.append(quote)
        } else {
            out.append(apostrophe)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
        }
    }

    /// Appends an input field to `out` as it was written when it needs no change: an unquoted
    /// field as is, a quoted one quoted again (its doubled quotes are still doubled).
    static func appendRaw(_ bytes: UnsafeBufferPointer<UInt8>, _ field: CSVField, to out: inout [UInt8]) {
        let raw = UnsafeBufferPointer(rebasing: bytes[field.start..<field.end])
        if field.quoted {
            out.append(quote)
            out.append(contentsOf: raw)
            out.append(quote)
        } else {
            out.append(contentsOf: raw)
        }
    }
}

/// Where records end, byte by byte, exactly as `CSVScanner.record` reads them: a line break ends
/// a record unless it is inside a quoted field, and a quote opens a quoted field only at the
/// start of a field (elsewhere it is a plain character). A stray quote in an unquoted field
/// (`5" tall`) thus hides no line break: cutting chunks, or skipping a row too long to hold,
/// never swallows the rows after it.
struct RecordEnds {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart

    /// Whether the bytes so far end inside a quoted field.
    var isInsideQuotes: Bool { state == .quoted }

    /// Takes the next byte; true when it is the line break that ends a record.
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        switch state {
        case .fieldStart, .unquoted:
            if byte == CSVScanner.newline {
                state = .fieldStart
                return true
            }
            state = byte == CSVScanner.comma ? .fieldStart
                : byte == CSVScanner.quote && state == .fieldStart ? .quoted : .unquoted
        case .quoted:
            if byte == CSVScanner.quote { state = .quoteInQuoted }
        case .quoteInQuoted:
            // A doubled quote stays inside; anything else follows the closing quote (text up to
            // the next delimiter, which `record` drops).
            if byte == CSVScanner.newline {
                state = .fieldStart
                return true
            }
            state = byte == CSVScanner.quote ? .quoted : byte == CSVScanner.comma ? .fieldStart : .unquoted
        }
        return false
    }
}

/// Decimal numbers from text, correctly rounded (the same double as `Double(String)`), fast for
/// the coordinates a GPS or a web map writes.
enum DecimalParser {
    /// The number in `bytes[start..<end]` (spaces and tabs around it allowed), or nil when it is
    /// not a plain decimal: `[+-]digits[.digits][e[+-]digits]`. No hexadecimal, no inf, no nan.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var start = start, end = end
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        guard start < end else { return nil }
        var position = start
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits taken into the mantissa
        var dropped = false     // a nonzero digit did not fit in the mantissa
        var exponent = 0
        var anyDigit = false
        while position < end, bytes[position] &- 0x30 < 10 {
            anyDigit = true
            let digit = UInt64(bytes[position] &- 0x30)
            if digits < 19 {
                if mantissa != 0 || digit != 0 {
                    mantissa = mantissa * 10 + digit
                    digits += 1
                }
            } else {
                exponent += 1
                if digit != 0 { dropped = true }
            }
            position += 1
        }
        if position < end && bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < end, bytes[position] &- 0x30 < 10 {
                anyDigit = true
                let digit = UInt64(bytes[position] &- 0x30)
                if digits < 19 {
                    if mantissa != 0 || digit != 0 {
                        mantissa = mantissa * 10 + digit
                        digits += 1
                    }
                    exponent -= 1
                } else if digit != 0 {
                    dropped = true
                }
                position += 1
            }
        }
        guard anyDigit else { return nil }
        if position < end && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            position += 1
            var exponentNegative = false
            if position < end && (bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")) {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            var value = 0
            var any = false
            while position < end, bytes[position] &- 0x30 < 10 {
                any = true
                if value < 100_000 { value = value * 10 + Int(bytes[position] &- 0x30) }
                position += 1
            }
            guard any else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard position == end else { return nil }
        // Clinger's fast path: an exact mantissa and an exact power of ten give one rounding.
        if !dropped && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let value = exponent < 0 ? Double(mantissa) / powersOfTen[-exponent] : Double(mantissa) * powersOfTen[exponent]
            return negative ? -value : value
        }
        return slowParse(bytes, start, end)
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The C library's correctly rounded conversion, for long or extreme numbers.
    private static func slowParse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        return Double(text)
    }
}
