import Crypto
import Domain
import Foundation
import KithTestSupport
import Storage
import Testing

/// Files are kept once by content hash, whole or not at all, and read back by range.
@Suite struct DiskMediaStoreTests {
    struct UploadFailed: Error {}

    struct Chunks: AsyncSequence, Sendable {
        typealias Element = [UInt8]
        var chunks: [[UInt8]]
        /// Fails after this many chunks (nil: never).
        var failAfter: Int?

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: [[UInt8]]
            var failAfter: Int?
            var index = 0
            mutating func next() async throws -> [UInt8]? {
                if let failAfter, index == failAfter { throw UploadFailed() }
                guard index < remaining.count else { return nil }
                index += 1
                return remaining[index - 1]
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks, failAfter: failAfter) }
    }

    static func files(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &directory) && !directory.boolValue
        }
    }

    @Test func theSameBytesAreKeptOnceUnderTheirHash() async throws {
        let dir = try TemporaryDirectory("kith-media")
        defer { dir.remove() }
        let store = try DiskMediaStore(root: dir.path)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let chunks = stride(from: 0, to: bytes.count, by: 65_536).map { Array(bytes[$0..<min($0 + 65_536, bytes.count)]) }
        let first = try await store.store(Chunks(chunks: chunks), limit: 1_000_000)
        let again = try await store.store(Chunks(chunks: [bytes]), limit: 1_000_000)
        let expected = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(first == StoredFile(sha256: expected, size: bytes.count))
        #expect(again == first)
        #expect(Self.files(under: dir.path) == ["\(expected.prefix(2))/\(expected.dropFirst(2).prefix(2))/\(expected)"])
        #expect(try store.size(of: expected) == bytes.count)
        #expect(try store.read(expected, offset: 0, count: 10) == Array(bytes[0..<10]))
        #expect(try store.read(expected, offset: 299_995, count: 100) == Array(bytes[299_995...]))
        try store.remove(expected)
        #expect(try store.size(of: expected) == nil)
        #expect(Self.files(under: dir.path).isEmpty)
    }

    @Test func aFileOverItsLimitOrAFailedUploadLeavesNothing() async throws {
        let dir = try TemporaryDirectory("kith-media")
        defer { dir.remove() }
        let store = try DiskMediaStore(root: dir.path)
        let chunk = [UInt8](repeating: 7, count: 40_000)
        await #expect(throws: KithError.self) { try await store.store(Chunks(chunks: [chunk, chunk, chunk]), limit: 100_000) }
        do {
            _ = try await store.store(Chunks(chunks: [chunk, chunk, chunk]), limit: 100_000)
        } catch let error as KithError {
            #expect(error.kind == .tooLarge)
        }
        await #expect(throws: UploadFailed.self) { try await store.store(Chunks(chunks: [chunk, chunk], failAfter: 1), limit: 100_000) }
        #expect(Self.files(under: dir.path).isEmpty)
        // Exactly at the limit is kept.
        let kept = try await store.store(Chunks(chunks: [[UInt8](repeating: 1, count: 100)]), limit: 100)
        #expect(kept.size == 100)
    }

    @Test func namesThatAreNotAHashAreRefused() throws {
        let dir = try TemporaryDirectory("kith-media")
        defer { dir.remove() }
        let store = try DiskMediaStore(root: dir.path)
        for name in ["../../etc/passwd", "", String(repeating: "A", count: 64), String(repeating: "a", count: 63) + "/"] {
            #expect(throws: KithError.self) { try store.read(name, offset: 0, count: 1) }
        }
        #expect(throws: Never.self) { _ = try store.size(of: String(repeating: "a", count: 64)) }
    }
}
