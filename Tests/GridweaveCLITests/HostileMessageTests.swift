import Foundation
import Testing
import TestSupport

/// Input that an error message quotes, written to hurt: every `error:` line stays one short
/// line with control characters escaped (issue 24 §6).
@Suite struct HostileMessageTests {
    @Test(.timeLimit(.minutes(10)))
    func aDistrictsIdsAreQuotedCutAndEscaped() throws {
        let directory = try TemporaryDirectory()
        var fixture = DistrictFixture.twoCommunities()
        // An OSC sequence that would retitle the terminal, then 500 bytes.
        let hostile = "\u{1B}]0;owned\u{07}" + String(repeating: "b", count: 500)
        fixture.layers["buildings"]![0]["properties"] = ["id": hostile, "households": 10]
        fixture.layers["buildings"]![1]["properties"] = ["id": hostile, "households": 10]
        try fixture.write(to: directory.url)
        let result = try runGridweave(["inspect", directory.path], timeout: 120)
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("\\x1B]0;owned\\x07bbb"), "\(result.stderr)")
        #expect(!result.stderr.utf8.contains(0x1B) && !result.stderr.utf8.contains(0x07))
        #expect(result.stderr.contains("…"))
        #expect(result.stderr.utf8.count < 600, "\(result.stderr.utf8.count) bytes")
    }
}
