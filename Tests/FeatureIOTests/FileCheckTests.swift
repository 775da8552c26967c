@testable import FeatureIO
import Foundation
import Testing
import TestSupport

/// `FileCheck` on what a path can name, and `AtomicFile` going through it.
@Suite struct FileCheckTests {
    @Test(.timeLimit(.minutes(10)))
    func outputsRefuseFIFOsAndDirectoriesAndFollowLinks() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FeatureIOError.self) { try FileCheck.outputFile(fifo) }
        do {
            _ = try FileCheck.outputFile(fifo)
            Issue.record("no error for a FIFO")
        } catch {
            #expect(error.kind == .write && error.file == fifo)
        }
        #expect(throws: FeatureIOError.self) { try FileCheck.outputFile(directory.path) }

        #expect(try FileCheck.outputFile(directory.path("new.gpkg")) == directory.path("new.gpkg"))
        let file = directory.path("file.gpkg")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try FileCheck.outputFile(file) == file)

        // Relative links are taken from the link's directory; a loop is an error.
        try FileManager.default.createSymbolicLink(atPath: directory.path("link.gpkg"), withDestinationPath: "file.gpkg")
        #expect(try FileCheck.outputFile(directory.path("link.gpkg")) == file)
        try FileManager.default.createSymbolicLink(atPath: directory.path("a"), withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: directory.path("b"), withDestinationPath: "a")
        #expect(throws: FeatureIOError.self) { try FileCheck.outputFile(directory.path("a")) }
        try FileManager.default.createSymbolicLink(atPath: directory.path("to-pipe"), withDestinationPath: fifo)
        #expect(throws: FeatureIOError.self) { try FileCheck.outputFile(directory.path("to-pipe")) }
    }

    @Test(.timeLimit(.minutes(10)))
    func atomicFileWritesThroughALinkAndLeavesAFIFOAlone() throws {
        let directory = try TemporaryDirectory()
        let targets = directory.path("targets")
        try FileManager.default.createDirectory(atPath: targets, withIntermediateDirectories: false)
        let target = (targets as NSString).appendingPathComponent("out.txt")
        try FileManager.default.createSymbolicLink(atPath: directory.path("out.txt"), withDestinationPath: target)
        try AtomicFile.write(Array("hello".utf8), to: directory.path("out.txt"))
        #expect(FileCheck.kind(of: directory.path("out.txt"), followingLinks: false) == .symbolicLink)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "hello")

        let fifo = directory.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: FeatureIOError.self) { try AtomicFile.write(Array("x".utf8), to: fifo) }
        #expect(FileCheck.kind(of: fifo, followingLinks: false) == .fifo)
        #expect(try directory.contents() == ["out.txt", "pipe", "targets"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: targets) == ["out.txt"])
    }

    @Test(.timeLimit(.minutes(10)))
    func inputsRefuseFIFOsWithoutOpeningThem() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.path("pipe.gpkg")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Only the check itself here (stat, no open): the readers that use it are tested
        // through the built binary with a timeout (HostilePathTests), so a regression to a
        // blocking open can fail a test but never hang the suite.
        #expect(throws: FeatureIOError.self) { try FileCheck.inputFile(fifo) }
        #expect(throws: FeatureIOError.self) { try FileCheck.inputFile(fifo, directoryAllowed: true) }
        #expect(throws: FeatureIOError.self) { try FileCheck.inputFile(directory.path) }
        try FileCheck.inputFile(directory.path, directoryAllowed: true)
        do {
            try FileCheck.inputFile(directory.path("none"))
            Issue.record("no error for a missing file")
        } catch {
            #expect(error.kind == .fileNotFound)
        }
    }
}
