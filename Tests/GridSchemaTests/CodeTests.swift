import Foundation
import GridSchema
import Testing

/// Parsing, formatting, ordering and parents of the three levels of code.
@Suite(.timeLimit(.minutes(10))) struct CodeTests {
    @Test func codesParseAndFormatBackToTheSameDigits() throws {
        for text in ["310101001001", "000000000001", "999999999999"] {
            #expect(CommunityCode(text)?.description == text)
        }
        for text in ["310101001001007", "000000000000001", "310101001001000"] {
            #expect(GridCode(text)?.description == text)
        }
        for text in ["31010100100100703", "00000000000000001", "99999999999999999"] {
            #expect(MicroGridCode(text)?.description == text)
        }
        #expect(try GridCode(parsing: "310101001001007") == GridCode("310101001001007"))
    }

    @Test(arguments: ["", "31010100100", "3101010010010", "31010100100A", " 310101001001", "310101001001 ",
                      "-31010100100", "+31010100100", "31010100100١", "３10101001001"])
    func aCommunityCodeIsTwelveAsciiDigits(text: String) {
        #expect(CommunityCode(text) == nil)
        #expect { try CommunityCode(parsing: text) } throws: { error in
            let error = error as? CodeError
            return error?.level == .community && error?.text == text
        }
    }

    @Test func gridAndMicroGridCodesRejectOtherLengthsAndNonDigits() {
        for text in ["310101001001", "3101010010010070", "31010100100100x", "310101001001 07", "31010100100100703"] {
            #expect(GridCode(text) == nil, "\(text)")
        }
        for text in ["310101001001007", "310101001001007030", "3101010010010070a", "31010100100100703\n"] {
            #expect(MicroGridCode(text) == nil, "\(text)")
        }
        #expect { try MicroGridCode(parsing: "1") } throws: { error in
            (error as? CodeError)?.level == .microGrid && "\(error)".contains("17 digits")
        }
    }

    @Test func parentsAndSequencesAreTheLeadingAndTrailingDigits() throws {
        let micro = try #require(MicroGridCode("31010100100100703"))
        #expect(micro.grid.description == "310101001001007")
        #expect(micro.sequence == 3)
        #expect(micro.grid.community.description == "310101001001")
        #expect(micro.grid.sequence == 7)
        let zeros = try #require(MicroGridCode("00000000000100099"))
        #expect(zeros.grid.description == "000000000001000")
        #expect(zeros.grid.community.description == "000000000001")
        #expect(zeros.grid.sequence == 0)
    }

    @Test func composingZeroPadsTheSequenceAndRefusesOutOfRange() throws {
        let community = try #require(CommunityCode("310101001001"))
        #expect(GridCode(community: community, sequence: 7)?.description == "310101001001007")
        #expect(GridCode(community: community, sequence: 999)?.description == "310101001001999")
        #expect(GridCode(community: community, sequence: 0) == nil)
        #expect(GridCode(community: community, sequence: 1000) == nil)
        let grid = try #require(GridCode(community: community, sequence: 12))
        #expect(MicroGridCode(grid: grid, sequence: 3)?.description == "31010100100101203")
        #expect(MicroGridCode(grid: grid, sequence: 99)?.description == "31010100100101299")
        #expect(MicroGridCode(grid: grid, sequence: 0) == nil)
        #expect(MicroGridCode(grid: grid, sequence: 100) == nil)
        for sequence in GridCode.sequences {
            let code = try #require(GridCode(community: community, sequence: sequence))
            #expect(code.community == community && code.sequence == sequence)
        }
    }

    @Test func aNumberIsACodeWhenItHasAtMostTheLevelsDigits() {
        #expect(CommunityCode(number: 1)?.description == "000000000001")
        #expect(CommunityCode(number: 999_999_999_999)?.description == "999999999999")
        #expect(CommunityCode(number: 1_000_000_000_000) == nil)
        #expect(GridCode(number: 310_101_001_001_007) == GridCode("310101001001007"))
        #expect(GridCode(number: 1_000_000_000_000_000) == nil)
        #expect(MicroGridCode(number: 99_999_999_999_999_999)?.description == "99999999999999999")
        #expect(MicroGridCode(number: 100_000_000_000_000_000) == nil)
    }

    @Test func orderingIsThatOfTheDigitsAsText() {
        let texts = ["310101001001007", "310101001001010", "310101001002001", "000000000009999",
                     "310101001001001", "999999999999999", "100000000000000"]
        let codes = texts.compactMap(GridCode.init)
        #expect(codes.count == texts.count)
        #expect(codes.sorted().map(\.description) == texts.sorted())
        let micros = ["31010100100100702", "31010100100100610", "31010100100100701", "01010100100100799"]
        #expect(micros.compactMap(MicroGridCode.init).sorted().map(\.description) == micros.sorted())
        let communities = ["310101001002", "310101001001", "010101001001"]
        #expect(communities.compactMap(CommunityCode.init).sorted().map(\.description) == communities.sorted())
    }

    @Test func codesAreHashableAndCodableAsTheirDigits() throws {
        let codes: Set<GridCode> = [GridCode("310101001001007")!, GridCode("310101001001007")!, GridCode("310101001001008")!]
        #expect(codes.count == 2)
        let micro = try #require(MicroGridCode("00010100100100703"))
        let data = try JSONEncoder().encode([micro])
        #expect(String(decoding: data, as: UTF8.self) == #"["00010100100100703"]"#)
        #expect(try JSONDecoder().decode([MicroGridCode].self, from: data) == [micro])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([GridCode].self, from: Data(#"["31010100100100"]"#.utf8)) }
    }
}
