/// What a media attachment is, as Mastodon's API names it: `unknown` is any other file (a
/// document, a spreadsheet, an archive), offered for download.
public enum MediaKind: String, Sendable, CaseIterable {
    case image, gifv, video, audio, unknown
}

/// A file's type as read from its first bytes, never from what the client said.
public struct SniffedType: Sendable, Equatable {
    /// The media type, e.g. `image/png`, `application/pdf`.
    public var mime: String
    public var kind: MediaKind
    /// The usual file extension, without the dot.
    public var fileExtension: String
    /// A browser would run it (HTML, SVG, XML): always served as an attachment, sandboxed.
    public var executable: Bool

    public init(mime: String, kind: MediaKind, fileExtension: String, executable: Bool = false) {
        self.mime = mime
        self.kind = kind
        self.fileExtension = fileExtension
        self.executable = executable
    }
}

/// A file kept by a `MediaStore`: named by the SHA-256 of its bytes (hex), so the same file
/// uploaded twice is kept once.
public struct StoredFile: Sendable, Equatable {
    public var sha256: String
    public var size: Int

    public init(sha256: String, size: Int) {
        self.sha256 = sha256
        self.size = size
    }
}
