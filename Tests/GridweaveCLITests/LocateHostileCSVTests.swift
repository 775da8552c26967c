import Foundation
import Testing
import TestSupport

/// `gridweave locate` on CSV written to hurt (issue 24 §6): rows and headers of megabytes,
/// binary and terminal escapes in what a message quotes, spreadsheet formulas in ids, ids that
/// look like numbers.
@Suite struct LocateHostileCSVTests {
    static let timeout: TimeInterval = 120

    static func locate(_ arguments: [String] = [], _ input: [UInt8]) throws -> (CommandResult, TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let grids = directory.path("grids.gpkg")
        try LocateCommandTests.writeGrids(to: grids)
        let result = try runGridweave(["locate", "--grids", grids, "-"] + arguments, input: Data(input), timeout: timeout)
        return (result, directory, grids)
    }

    // MARK: - Long lines

    @Test(.timeLimit(.minutes(10)))
    func aRowLongerThanTheLimitIsInvalidAndTheBatchGoesOn() throws {
        // 200 KB in a carried column: beyond the default 64 KiB, inside one 4 MiB chunk.
        let long = String(repeating: "x", count: 200_000)
        // 5 MB with a quoted line break inside: beyond a chunk, so it streams past unheld.
        let huge = "\"" + String(repeating: "y", count: 2_500_000) + "\n" + String(repeating: "z", count: 2_500_000) + "\""
        let input = "id,lon,lat,note\ne1,121.4012,31.2012,a\ne2,121.4012,31.2012,\(long)\ne3,121.4012,31.2012,b\n"
            + "e4,121.4012,31.2012,\(huge)\ne5,121.4125,31.2074,c\n"
        let (result, _, _) = try Self.locate([], Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = LocateCommandTests.rows(result.stdout)
        #expect(rows.count == 6, "\(rows.map { $0.prefix(5) })")
        guard rows.count == 6 else { return }
        #expect(rows[1] == ["e1", LocateCommandTests.gridCode(0, 0), LocateCommandTests.gridCode(0, 0) + "01", "310101001001", "inside", "0", "a"])
        #expect(rows[2] == ["e2", "the row is longer than 65536 bytes (--max-line-bytes)", "", "", "invalid", "", ""])
        #expect(rows[3][0] == "e3" && rows[3][4] == "inside" && rows[3][6] == "b")
        #expect(rows[4] == ["e4", "the row is longer than 65536 bytes (--max-line-bytes)", "", "", "invalid", "", ""])
        #expect(rows[5][0] == "e5" && rows[5][4] == "inside" && rows[5][6] == "c")
        #expect(result.stdout.utf8.count < 2_000)
    }

    @Test(.timeLimit(.minutes(10)))
    func aStrayQuoteInAnUnquotedFieldHidesNoRows() throws {
        // A quote inside an unquoted field is a plain character: it must not make the rest of
        // the file (here 6 MB, past a chunk and past the row limit) one quoted row to skip.
        var input = "id,lon,lat,note\ne0,121.4012,31.2012,5\" tall\n"
        for k in 1...300_000 { input += "e\(k),121.4012,31.2012,x\n" }
        let (result, _, _) = try Self.locate(["--summary"], Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 300_002)
        #expect(lines.count > 2 && lines[1].hasSuffix(",inside,0,5\" tall"))
        #expect(lines.last?.hasPrefix("e300000,") == true)
        #expect(result.stderr.contains("0 invalid"), "\(result.stderr)")
    }

    @Test(.timeLimit(.minutes(10)))
    func theLimitIsAFlagAndCountsBytesWithoutTheLineBreak() throws {
        // "e1,121.4012,31.2012" is 19 bytes.
        let input = "id,lon,lat\r\ne1,121.4012,31.2012\r\ne22,121.4012,31.2012\r\n"
        let (result, _, _) = try Self.locate(["--max-line-bytes", "19"], Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = LocateCommandTests.rows(result.stdout)
        #expect(rows.count == 3)
        #expect(rows.count == 3 && rows[1][4] == "inside")
        #expect(rows.count == 3 && rows[2] == ["e22", "the row is longer than 19 bytes (--max-line-bytes)", "", "", "invalid", ""])

        let zero = try Self.locate(["--max-line-bytes", "0"], Array(input.utf8)).0
        #expect(zero.status == 1 && zero.stderr.hasPrefix("error: "))
    }

    @Test(.timeLimit(.minutes(10)))
    func aHeaderLongerThanTheLimitIsAShortErrorThatEchoesNothingRaw() throws {
        // 3 MB of binary header with terminal escapes and no id column.
        var header: [UInt8] = Array("name,\u{1B}]0;owned\u{07}\u{1B}[2J".utf8)
        while header.count < 3_000_000 { header += [0x1B, 0x5B, 0x33, 0x31, 0x6D, 0xFF, 0xFE, 0x00, 0x41, 0x2C] }
        let (result, _, _) = try Self.locate([], header + Array("\ne1,1,2\n".utf8))
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr.prefix(200))")
        #expect(result.stderr.contains("--max-line-bytes"))
        #expect(result.stderr.utf8.count < 1_000, "\(result.stderr.utf8.count) bytes of error")
        #expect(!result.stderr.utf8.contains(0x1B) && !result.stderr.utf8.contains(0x07) && !result.stderr.utf8.contains(0))
        #expect(result.stdout.isEmpty)
    }

    @Test(.timeLimit(.minutes(10)))
    func whatAMessageQuotesIsCutAndEscaped() throws {
        // A header without lat, its names full of escapes and long: quoted cut, escaped.
        let names = "id,lon,\u{1B}[31mred\u{1B}[0m," + String(repeating: "n", count: 5_000)
        let (missing, _, _) = try Self.locate([], Array((names + "\ne1,1,2\n").utf8))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("column lat"), "\(missing.stderr)")
        #expect(missing.stderr.contains("\\x1B[31mred"), "\(missing.stderr)")
        #expect(!missing.stderr.utf8.contains(0x1B))
        #expect(missing.stderr.contains("…") && missing.stderr.utf8.count < 400, "\(missing.stderr)")

        // A coordinate with escapes: the reason in the CSV is escaped too.
        let (bad, _, _) = try Self.locate([], Array("id,lon,lat\ne1,\u{1B}[2J12,31.2\n".utf8))
        #expect(bad.status == 0, "\(bad.stderr)")
        #expect(bad.stdout.contains("lon '\\x1B[2J12' is not a number"), "\(bad.stdout)")
        #expect(!bad.stdout.utf8.contains(0x1B))
    }

    // MARK: - Formulas and ids

    static let formulas = """
        id,lon,lat,note
        "=HYPERLINK(""http://x.example/?"",""click"")",121.4012,31.2012,+cmd|' /C calc'!A0
        @SUM(1),121.4012,31.2012,-2+3
        "=1,2",121.4012,31.2012,"\tx"
        plain,121.4012,31.2012,0.5

        """

    @Test(.timeLimit(.minutes(10)))
    func idsAndCarriedCellsStayByteExactByDefault() throws {
        let (result, _, _) = try Self.locate([], Array(Self.formulas.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines.count == 5 && lines[1].hasPrefix("\"=HYPERLINK(\"\"http://x.example/?\"\",\"\"click\"\")\","))
        #expect(lines.count == 5 && lines[1].hasSuffix(",+cmd|' /C calc'!A0"))
        #expect(lines.count == 5 && lines[2].hasPrefix("@SUM(1),") && lines[2].hasSuffix(",-2+3"))
        #expect(lines.count == 5 && lines[3].hasPrefix("\"=1,2\",") && lines[3].hasSuffix(",\"\tx\""))
    }

    @Test(.timeLimit(.minutes(10)))
    func neutraliseFormulasPrefixesAnApostrophe() throws {
        let input = Self.formulas.replacingOccurrences(of: "id,lon,lat,note", with: "id,lon,lat,=note")
        let (result, _, _) = try Self.locate(["--neutralise-formulas"], Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        guard lines.count == 5 else { return }
        #expect(lines[0] == "id,grid_code,microgrid_code,community_code,status,distance_m,'=note")
        #expect(lines[1].hasPrefix("\"'=HYPERLINK(") && lines[1].hasSuffix(",'+cmd|' /C calc'!A0"))
        #expect(lines[2].hasPrefix("'@SUM(1),") && lines[2].hasSuffix(",'-2+3"))
        #expect(lines[3].hasPrefix("\"'=1,2\",") && lines[3].hasSuffix(",\"'\tx\""))
        #expect(lines[4].hasPrefix("plain,") && lines[4].hasSuffix(",0.5"))
        // The engine's own columns are never touched.
        #expect(lines[4].contains(",inside,0,"))
    }

    @Test(.timeLimit(.minutes(10)))
    func idsKeepTheirExactText() throws {
        let ids = ["123456789012345678901234567890", "00123", "1e5", "0x1F", "-0", "1.50", " 7 ", "NaN", "三号楼-2"]
        let input = "id,lon,lat\n" + ids.map { "\($0),121.4012,31.2012\n" }.joined()
        let (result, _, _) = try Self.locate([], Array(input.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = LocateCommandTests.rows(result.stdout).dropFirst()
        #expect(rows.map { $0[0] } == ids)
        #expect(rows.allSatisfy { $0[4] == "inside" })
    }

    @Test(.timeLimit(.minutes(10)))
    func helpDocumentsTheNewFlags() throws {
        let help = try runGridweave(["locate", "--help"], timeout: Self.timeout)
        #expect(help.status == 0)
        // The help is wrapped to the terminal's width: compare words.
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["--max-line-bytes", "--neutralise-formulas", "64 KiB", "byte for byte", "FIFO", "symbolic link"] {
            #expect(words.contains(text), "\(text) missing from --help")
        }
    }
}
