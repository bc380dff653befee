import Crypto
import Domain
import Foundation

/// Media files on the node's disk, under `<root>/<aa>/<bb>/<sha256>` (the hash's first two
/// byte pairs as folders, so no folder grows too large). A file is written to `<root>/tmp`,
/// synced, then renamed into place, so a crash or a full disk leaves no partial file under its
/// name; the same bytes stored twice are kept once.
public struct DiskMediaStore: MediaStore {
    let root: URL

    public init(root: String) throws {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
        try FileManager.default.createDirectory(at: self.root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    func path(_ sha256: String) throws -> URL {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw KithError(.notFound, "Record not found")
        }
        return root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(String(sha256.dropFirst(2).prefix(2)))
            .appendingPathComponent(sha256)
    }

    public func store<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks, limit: Int) async throws -> StoredFile
    where Chunks.Element == [UInt8] {
        let temporary = root.appendingPathComponent("tmp").appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw KithError(.internalError, "could not create a file for the upload", detail: temporary.path)
        }
        var kept = false
        defer { if !kept { try? FileManager.default.removeItem(at: temporary) } }
        let handle = try FileHandle(forWritingTo: temporary)
        var hasher = SHA256()
        var size = 0
        do {
            for try await chunk in chunks {
                size += chunk.count
                guard size <= limit else { throw KithError(.tooLarge, "The file is larger than \(limit) bytes") }
                hasher.update(data: chunk)
                try handle.write(contentsOf: chunk)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let sha256 = Hex.lowercase(hasher.finalize())
        let destination = try path(sha256)
        if FileManager.default.fileExists(atPath: destination.path) { return StoredFile(sha256: sha256, size: size) }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        // rename(2) replaces atomically: two uploads of the same bytes at once both end with one file.
        guard rename(temporary.path, destination.path) == 0 else {
            throw KithError(.internalError, "could not keep the uploaded file", detail: String(cString: strerror(errno)))
        }
        kept = true
        return StoredFile(sha256: sha256, size: size)
    }

    public func size(of sha256: String) throws -> Int? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: try path(sha256).path)
        return (attributes?[.size] as? NSNumber)?.intValue
    }

    public func read(_ sha256: String, offset: Int, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: try path(sha256).path) else { throw KithError(.notFound, "Record not found") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(max(0, offset)))
        return Array(try handle.read(upToCount: max(0, count)) ?? Data())
    }

    public func remove(_ sha256: String) throws {
        let file = try path(sha256)
        if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
    }
}
