#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An immutable array in memory of its own, for the lookup's hot loops: reading an element is
/// one load, with no reference counting and no copy-on-write check, and the storage can be read
/// from any number of threads at once.
///
/// Large arrays are placed on 2 MiB boundaries and offered to the kernel for huge pages
/// (`madvise(MADV_HUGEPAGE)` on Linux): lookups touch them at random, and with 4 KiB pages
/// nearly every lookup in a city-sized index would also miss the TLB.
///
/// The owner (a final class) calls `deallocate()` exactly once, in its `deinit`; every reader
/// holds the owner, so no read outlives the storage. An array read from a stored index borrows
/// its elements from the index's one block of memory (`init(borrowing:)`): its `deallocate()`
/// does nothing, and the block's owner (`StoredIndex.Block`) frees it.
struct FrozenArray<Element: BitwiseCopyable>: @unchecked Sendable {
    // @unchecked: the memory is written once, before the value is shared, and never again.
    private let buffer: UnsafeBufferPointer<Element>
    /// Whether `deallocate()` frees the buffer (false for a borrowed one).
    private let owned: Bool

    private static var hugePage: Int { 2 << 20 }

    init(_ elements: [Element]) {
        let bytes = max(elements.count, 1) * MemoryLayout<Element>.stride
        var raw: UnsafeMutableRawPointer?
        if bytes >= Self.hugePage {
            let rounded = (bytes + Self.hugePage - 1) / Self.hugePage * Self.hugePage
            // Returns 0 on success, an error number otherwise (then the plain allocation below).
            if posix_memalign(&raw, Self.hugePage, rounded) == 0, let raw {
                #if os(Linux)
                // Advice only: returns -1 where huge pages are unavailable, which changes nothing.
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                #endif
            } else {
                raw = nil
            }
        }
        if raw == nil {
            raw = malloc(bytes)
        }
        guard let raw else { fatalError("out of memory for a lookup index of \(bytes) bytes") }
        let typed = raw.bindMemory(to: Element.self, capacity: max(elements.count, 1))
        let storage = UnsafeMutableBufferPointer(start: typed, count: elements.count)
        _ = storage.initialize(from: elements)
        buffer = UnsafeBufferPointer(storage)
        owned = true
    }

    /// Elements that live in memory owned by someone else, who keeps it alive as long as the
    /// array's owner and frees it after.
    init(borrowing elements: UnsafeBufferPointer<Element>) {
        buffer = elements
        owned = false
    }

    /// All the elements, valid while the owner is alive.
    var elements: UnsafeBufferPointer<Element> { buffer }

    var count: Int { buffer.count }

    /// Bytes held.
    var byteCount: Int { buffer.count * MemoryLayout<Element>.stride }

    @inline(__always)
    subscript(index: Int) -> Element {
        buffer[index]
    }

    /// The address of element `index`, for a prefetch: valid while the owner is alive.
    @inline(__always)
    func address(_ index: Int) -> UnsafePointer<Element> {
        buffer.baseAddress! + index
    }

    /// The elements `range`, valid while the owner is alive.
    @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(rebasing: buffer[range])
    }

    func deallocate() {
        guard owned else { return }
        free(UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }
}
