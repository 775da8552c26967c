import Foundation

/// The checks every path the engine reads or writes goes through before it is opened.
///
/// Outputs are written whole into a temporary file and renamed into place (`AtomicFile`), so
/// whatever the output path names is replaced: a device node (`/dev/null` as root), a FIFO or a
/// socket would become a regular file, and a symbolic link would become a file of its own.
/// Inputs are opened with a blocking `open(2)`, which on a FIFO nobody writes to never returns.
/// Both sides look at the path first and refuse what is not a regular file (or a directory
/// where a folder is expected); a symbolic link is followed to its target.
///
/// The check and the open are two steps (a path can change between them): this protects a
/// person who names the wrong path, not against another process racing the command.
public enum FileCheck {
    /// What a path names on disk.
    public enum Kind: Hashable, Sendable, CustomStringConvertible {
        case regularFile, directory, symbolicLink, fifo, socket, characterDevice, blockDevice, unknown

        init(mode: mode_t) {
            self = switch mode & S_IFMT {
            case S_IFREG: .regularFile
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            case S_IFIFO: .fifo
            case S_IFSOCK: .socket
            case S_IFCHR: .characterDevice
            case S_IFBLK: .blockDevice
            default: .unknown
            }
        }

        public var description: String {
            switch self {
            case .regularFile: "a regular file"
            case .directory: "a directory"
            case .symbolicLink: "a symbolic link"
            case .fifo: "a FIFO (named pipe)"
            case .socket: "a socket"
            case .characterDevice: "a character device"
            case .blockDevice: "a block device"
            case .unknown: "a special file"
            }
        }
    }

    /// What is at `path`, following symbolic links when `followingLinks`; nil when nothing is
    /// there (or it cannot be looked at: the open that follows reports why).
    public static func kind(of path: String, followingLinks: Bool = true) -> Kind? {
        var info = stat()
        // Both return 0 on success, -1 with errno.
        let found = followingLinks ? stat(path, &info) : lstat(path, &info)
        return found == 0 ? Kind(mode: info.st_mode) : nil
    }

    /// The path to write a file named `path` to: `path` itself when nothing or a regular file is
    /// there, the file a symbolic link points to (through every link of a chain, relative
    /// targets taken from the link's directory) when it is a link, so that the new file
    /// replaces the link's target and the link stays.
    ///
    /// - Parameter advice: what the person can do instead, ending the message (e.g. "leave out
    ///   -o to write to standard output").
    /// - Throws: `FeatureIOError` of kind `.write` (the output cannot be written) naming `path`
    ///   when it is (or its link leads to) a directory, a FIFO, a socket or a device; nothing
    ///   is written then.
    public static func outputFile(_ path: String, advice: String? = nil) throws(FeatureIOError) -> String {
        var current = path
        for _ in 0..<maximumLinks {
            guard let found = kind(of: current, followingLinks: false) else { return current }
            switch found {
            case .regularFile:
                return current
            case .symbolicLink:
                current = try linkTarget(current, for: path)
            case .directory:
                throw FeatureIOError(.write, "is a directory\(through(current, path)): name a file inside it", file: path)
            default:
                throw FeatureIOError(.write,
                                     "is \(found)\(through(current, path)), not a regular file, and the output would replace it "
                                        + "with one: \(advice ?? "name a regular file or a new path")",
                                     file: path)
            }
        }
        throw FeatureIOError(.write, "too many symbolic links (a loop?)", file: path)
    }

    /// Checks the directory a command writes several files into (created when missing): nothing
    /// there, or a directory (a symbolic link to one is followed).
    /// - Throws: `FeatureIOError` of kind `.write` naming `path` for anything else.
    public static func outputDirectory(_ path: String) throws(FeatureIOError) {
        guard let found = kind(of: path), found != .directory else { return }
        throw FeatureIOError(.write, "is \(found), not a directory: name a directory to write the files into, "
                                + "or a new path to create one", file: path)
    }

    /// Checks a file the engine reads before it is opened: it exists and is a regular file (a
    /// symbolic link to one counts), or a directory when `directoryAllowed`.
    ///
    /// - Parameter advice: what the person can do instead, for a FIFO or a device (e.g. "read
    ///   standard input with `-`").
    /// - Throws: `FeatureIOError` naming `path`: `.fileNotFound` when nothing is there,
    ///   `.notARegularFile` for a FIFO, a socket, a device, or a directory when not allowed.
    public static func inputFile(_ path: String, directoryAllowed: Bool = false, advice: String? = nil) throws(FeatureIOError) {
        guard let found = kind(of: path) else {
            throw FeatureIOError(.fileNotFound, directoryAllowed ? "no such file or folder" : "no such file", file: path)
        }
        switch found {
        case .regularFile: return
        case .directory where directoryAllowed: return
        case .directory:
            throw FeatureIOError(.notARegularFile, "is a directory, not a file", file: path)
        default:
            throw FeatureIOError(.notARegularFile,
                                 "is \(found), not a regular file\(directoryAllowed ? " or a folder" : ""), so reading it could "
                                    + "wait forever or never end: \(advice ?? "give a regular file")",
                                 file: path)
        }
    }

    /// Links followed before giving up, as the kernel's ELOOP limit.
    private static let maximumLinks = 40

    /// Where the symbolic link at `link` points, as a path usable from the working directory.
    private static func linkTarget(_ link: String, for path: String) throws(FeatureIOError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        // Returns the number of bytes placed in the buffer (not NUL-terminated), or -1 with errno.
        let length = readlink(link, &buffer, buffer.count - 1)
        guard length >= 0 else {
            throw FeatureIOError(.write, "cannot read the symbolic link \(link): \(String(cString: strerror(errno)))",
                                 file: path)
        }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return ((link as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
    }

    private static func through(_ target: String, _ path: String) -> String {
        target == path ? "" : " (the symbolic link leads to \(target))"
    }
}
