import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A text encoding of attribute values (a DBF's code page), by the name iconv knows it.
///
/// City offices' Shapefiles are GBK (code page 936) or GB18030 more often than UTF-8; a DBF
/// says which in its `.cpg` file or its language driver id, or the user says so (`--encoding`).
public struct TextEncoding: Hashable, Sendable, CustomStringConvertible {
    /// The canonical name: `UTF-8`, `GBK`, `GB18030`, or another name iconv accepts, upper case.
    public let name: String

    public static let utf8 = TextEncoding(canonical: "UTF-8")
    public static let gbk = TextEncoding(canonical: "GBK")
    public static let gb18030 = TextEncoding(canonical: "GB18030")

    private init(canonical: String) { name = canonical }

    /// The encoding called `name` in a `.cpg` file or on the command line: `UTF-8` (`UTF8`,
    /// `65001`), `GBK` (`CP936`, `936`, `GB2312`: GBK is their superset), `GB18030` (`54936`),
    /// a Windows code page by its number (`1252` is `CP1252`), or any name iconv knows. Nil
    /// when iconv knows no such encoding.
    public init?(_ name: String) {
        let upper = name.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let canonical: String = switch upper {
        case "UTF-8", "UTF8", "65001": "UTF-8"
        case "GBK", "CP936", "936", "MS936", "WINDOWS-936", "GB2312", "EUC-CN": "GBK"
        case "GB18030", "54936": "GB18030"
        default: !upper.isEmpty && upper.allSatisfy(\.isNumber) ? "CP" + upper : upper
        }
        guard !canonical.isEmpty else { return nil }
        guard canonical == "UTF-8" || IconvConverter(from: canonical, to: "UTF-8") != nil else { return nil }
        self.name = canonical
    }

    public var description: String { name }
}

/// One iconv converter (`iconv_t`), owned: opened in init, closed once in deinit.
final class IconvConverter {
    private let handle: iconv_t

    init?(from source: String, to target: String) {
        // iconv_open returns (iconv_t)-1 when it knows either encoding not.
        guard let opened = iconv_open(target, source), opened != iconv_t(bitPattern: -1) else { return nil }
        handle = opened
    }

    deinit { iconv_close(handle) }

    /// `bytes` converted, all of them, or nil when they are not text in the source encoding
    /// or the target cannot hold it. `capacity` is enough output for any input of that size.
    func convert(_ bytes: UnsafeBufferPointer<UInt8>, capacity: Int) -> [UInt8]? {
        // iconv(3) with no input resets the converter's shift state; it cannot fail.
        _ = iconv(handle, nil, nil, nil, nil)
        var output = [UInt8](repeating: 0, count: capacity)
        let written = output.withUnsafeMutableBufferPointer { out -> Int? in
            guard let inBase = bytes.baseAddress, let outBase = out.baseAddress else { return 0 }
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: inBase).assumingMemoryBound(to: CChar.self)
            var inLeft = bytes.count
            var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
            var outLeft = out.count
            // iconv returns (size_t)-1 with errno EILSEQ (a sequence not in the source encoding, or
            // a character the target lacks) or EINVAL (cut short at the end).
            let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
            guard result != -1, inLeft == 0 else { return nil }
            return out.count - outLeft
        }
        return written.map { Array(output[..<$0]) }
    }
}

/// Decodes bytes in one encoding into Swift strings, strictly: bytes that are not text in the
/// encoding give nil, never a replacement character, so that a wrong encoding is an error a
/// person sees and not mojibake written into grids.
final class TextDecoder {
    let encoding: TextEncoding
    /// nil for UTF-8, which Swift validates itself.
    private let converter: IconvConverter?

    init?(_ encoding: TextEncoding) {
        self.encoding = encoding
        if encoding == .utf8 {
            converter = nil
        } else {
            guard let opened = IconvConverter(from: encoding.name, to: "UTF-8") else { return nil }
            converter = opened
        }
    }

    /// The text of `bytes`, or nil when they are not text in the encoding.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // ASCII is ASCII in every encoding GridWeave reads: most values (codes, numbers) stop here.
        guard let converter, bytes.contains(where: { $0 >= 0x80 }) else {
            return String(validating: bytes, as: UTF8.self)
        }
        // Four UTF-8 bytes per input byte is more than any of these encodings can need.
        return converter.convert(bytes, capacity: bytes.count * 4).flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// Encodes Swift strings into one encoding, strictly: text the encoding cannot hold (Häagen-Dazs
/// in GBK) gives nil, so that a writer refuses it instead of letting GDAL write `?`.
final class TextEncoder {
    let encoding: TextEncoding
    /// nil for UTF-8, which every Swift string is.
    private let converter: IconvConverter?

    init?(_ encoding: TextEncoding) {
        self.encoding = encoding
        if encoding == .utf8 {
            converter = nil
        } else {
            guard let opened = IconvConverter(from: "UTF-8", to: encoding.name) else { return nil }
            converter = opened
        }
    }

    /// The bytes `text` takes in the encoding, or nil when the encoding cannot hold it.
    func byteCount(_ text: String) -> Int? {
        let utf8 = Array(text.utf8)
        guard let converter, utf8.contains(where: { $0 >= 0x80 }) else { return utf8.count }
        // No character takes more than twice its UTF-8 bytes in GBK or GB18030 (ä: 2 → 4).
        return utf8.withUnsafeBufferPointer { converter.convert($0, capacity: utf8.count * 2 + 4)?.count }
    }
}
