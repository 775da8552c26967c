import FeatureIO
import Testing

/// `InputExcerpt`: input quoted in messages, cut and escaped.
@Suite struct InputExcerptTests {
    @Test(.timeLimit(.minutes(10)))
    func escapesControlsAndCutsLongText() {
        #expect(InputExcerpt.of("plain 三号楼") == "plain 三号楼")
        #expect(InputExcerpt.of("a\u{1B}[2Jb\n\t\r\u{7F}") == "a\\x1B[2Jb\\n\\t\\r\\x7F")
        #expect(InputExcerpt.of("rtl\u{202E}txt\u{0085}") == "rtl\\u{202E}txt\\u{0085}")
        #expect(InputExcerpt.of(String(repeating: "x", count: 100)) == String(repeating: "x", count: 80) + "…")
        #expect(InputExcerpt.of(String(repeating: "x", count: 80)) == String(repeating: "x", count: 80))
        #expect(InputExcerpt.of("abcdef", limit: 3) == "abc…")
        #expect(InputExcerpt.of(String(repeating: "x", count: 100), limit: nil).count == 100)
    }

    @Test(.timeLimit(.minutes(10)))
    func bytesThatAreNotUTF8AreShownAsHex() {
        #expect(InputExcerpt.of(bytes: [0x61, 0xFF, 0xC3, 0xA9, 0xC0, 0x80, 0x00]) == "a\\xFFé\\xC0\\x80\\x00")
        // Surrogates encoded in UTF-8 (CESU) are not UTF-8.
        #expect(InputExcerpt.of(bytes: [0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")
        // A huge input is read only as far as the limit needs.
        #expect(InputExcerpt.of(bytes: repeatElement(UInt8(0x41), count: 1 << 30), limit: 4) == "AAAA…")
    }
}
