/// Where media files are kept: on the node's disk today, an object store later. Files are
/// immutable and named by their content hash.
public protocol MediaStore: Sendable {
    /// Keeps the bytes `chunks` yields and names them by their hash. Over `limit` bytes it
    /// throws `.tooLarge`; on any failure nothing is kept (no partial file).
    func store<Chunks: AsyncSequence & Sendable>(_ chunks: Chunks, limit: Int) async throws -> StoredFile where Chunks.Element == [UInt8]
    /// The size of a kept file, nil when there is none by that hash.
    func size(of sha256: String) throws -> Int?
    /// `count` bytes (fewer at the end) from `offset` of a kept file.
    func read(_ sha256: String, offset: Int, count: Int) throws -> [UInt8]
    /// Forgets a file (nothing when there is none).
    func remove(_ sha256: String) throws
}
