import Domain

/// Reads a file's type from its first bytes (magic numbers, and for ZIP and ISO media files
/// the names inside them), never from the type or name the client sent. The client's file
/// name only chooses between text subtypes (`.csv`, `.md`), which no bytes tell apart.
public enum MediaSniffer {
    /// How many leading bytes `sniff` looks at.
    public static let prefixLength = 4096

    public static func sniff(_ prefix: [UInt8], fileName: String? = nil) -> SniffedType? {
        let bytes = Array(prefix.prefix(prefixLength))
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + magic.count && Array(bytes[offset..<offset + magic.count]) == magic
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts([0xFF, 0xD8, 0xFF]) { return .init(mime: "image/jpeg", kind: .image, fileExtension: "jpg") }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .init(mime: "image/png", kind: .image, fileExtension: "png") }
        if ascii("GIF87a") || ascii("GIF89a") { return .init(mime: "image/gif", kind: .image, fileExtension: "gif") }
        if ascii("RIFF"), ascii("WEBP", at: 8) { return .init(mime: "image/webp", kind: .image, fileExtension: "webp") }
        if ascii("RIFF"), ascii("WAVE", at: 8) { return .init(mime: "audio/wav", kind: .audio, fileExtension: "wav") }
        if ascii("ftyp", at: 4) { return isoMedia(bytes) }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) {
            // Matroska; WebM says so in its DocType.
            let webm = bytes.count > 8 && contains(bytes, Array("webm".utf8))
            return .init(mime: webm ? "video/webm" : "video/x-matroska", kind: .video, fileExtension: webm ? "webm" : "mkv")
        }
        if ascii("OggS") {
            let video = contains(bytes, Array("theora".utf8))
            return .init(mime: video ? "video/ogg" : "audio/ogg", kind: video ? .video : .audio, fileExtension: video ? "ogv" : "ogg")
        }
        if ascii("fLaC") { return .init(mime: "audio/flac", kind: .audio, fileExtension: "flac") }
        if ascii("ID3") || (bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0 && bytes[1] & 0x06 != 0) {
            return .init(mime: "audio/mpeg", kind: .audio, fileExtension: "mp3")
        }
        if ascii("%PDF-") { return .init(mime: "application/pdf", kind: .unknown, fileExtension: "pdf") }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return zip(bytes) }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return .init(mime: "application/x-ole-storage", kind: .unknown, fileExtension: "ole")
        }
        if ascii("{\\rtf") { return .init(mime: "application/rtf", kind: .unknown, fileExtension: "rtf") }
        if starts([0x1F, 0x8B]) { return .init(mime: "application/gzip", kind: .unknown, fileExtension: "gz") }
        if ascii("7z") && starts([0xBC, 0xAF, 0x27, 0x1C], at: 2) {
            return .init(mime: "application/x-7z-compressed", kind: .unknown, fileExtension: "7z")
        }
        return text(bytes, fileName: fileName)
    }

    /// ISO base media files (MP4, QuickTime, HEIF, AVIF, M4A) by their major and compatible brands.
    static func isoMedia(_ bytes: [UInt8]) -> SniffedType? {
        guard bytes.count >= 12 else { return nil }
        let size = min(Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3]), bytes.count)
        var brands: [String] = []
        var offset = 8
        while offset + 4 <= max(size, 12) {
            if offset != 12 { brands.append(String(decoding: bytes[offset..<offset + 4], as: UTF8.self)) }  // 12..<16 is the version
            offset += 4
        }
        let major = brands.first ?? ""
        if major == "avif" || major == "avis" { return .init(mime: "image/avif", kind: .image, fileExtension: "avif") }
        if ["heic", "heix", "heim", "heis", "mif1", "msf1"].contains(major) { return .init(mime: "image/heic", kind: .image, fileExtension: "heic") }
        if major == "M4A " || major == "M4B " { return .init(mime: "audio/mp4", kind: .audio, fileExtension: "m4a") }
        if major == "qt  " { return .init(mime: "video/quicktime", kind: .video, fileExtension: "mov") }
        if major == "3gp4" || major == "3gp5" || major == "3g2a" { return .init(mime: "video/3gpp", kind: .video, fileExtension: "3gp") }
        return .init(mime: "video/mp4", kind: .video, fileExtension: "mp4")
    }

    /// A ZIP archive, or an office document (OOXML, OpenDocument, EPUB), which are ZIP
    /// archives told apart by the names of their first entries.
    static func zip(_ bytes: [UInt8]) -> SniffedType {
        // OpenDocument and EPUB store an uncompressed `mimetype` entry first, its value right after.
        if contains(bytes, Array("mimetypeapplication/vnd.oasis.opendocument.text".utf8)) {
            return .init(mime: "application/vnd.oasis.opendocument.text", kind: .unknown, fileExtension: "odt")
        }
        if contains(bytes, Array("mimetypeapplication/vnd.oasis.opendocument.spreadsheet".utf8)) {
            return .init(mime: "application/vnd.oasis.opendocument.spreadsheet", kind: .unknown, fileExtension: "ods")
        }
        if contains(bytes, Array("mimetypeapplication/vnd.oasis.opendocument.presentation".utf8)) {
            return .init(mime: "application/vnd.oasis.opendocument.presentation", kind: .unknown, fileExtension: "odp")
        }
        if contains(bytes, Array("mimetypeapplication/epub+zip".utf8)) { return .init(mime: "application/epub+zip", kind: .unknown, fileExtension: "epub") }
        if contains(bytes, Array("word/".utf8)) {
            return .init(mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", kind: .unknown, fileExtension: "docx")
        }
        if contains(bytes, Array("xl/".utf8)) {
            return .init(mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", kind: .unknown, fileExtension: "xlsx")
        }
        if contains(bytes, Array("ppt/".utf8)) {
            return .init(mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation", kind: .unknown, fileExtension: "pptx")
        }
        return .init(mime: "application/zip", kind: .unknown, fileExtension: "zip")
    }

    /// Text: valid UTF-8 with no NUL. Markup a browser would run (HTML, SVG, XML) is marked executable.
    static func text(_ bytes: [UInt8], fileName: String?) -> SniffedType? {
        guard !bytes.isEmpty, !bytes.contains(0) else { return nil }
        // The prefix may end inside a character: judge up to the last complete one.
        var end = bytes.count
        while end > 0, bytes.count - end < 4, bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
        if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
        guard String(validating: bytes[..<end], as: UTF8.self) != nil else { return nil }
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let head = String(decoding: bytes[start..<min(bytes.count, start + 512)], as: UTF8.self).lowercased()
        if head.hasPrefix("<svg") || (head.hasPrefix("<?xml") && head.contains("<svg")) {
            return .init(mime: "image/svg+xml", kind: .unknown, fileExtension: "svg", executable: true)
        }
        if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<script")
            || head.hasPrefix("<body") || head.hasPrefix("<iframe")
        {
            return .init(mime: "text/html", kind: .unknown, fileExtension: "html", executable: true)
        }
        if head.hasPrefix("<?xml") { return .init(mime: "application/xml", kind: .unknown, fileExtension: "xml", executable: true) }
        switch fileName.map({ $0.split(separator: ".").last.map { $0.lowercased() } ?? "" }) {
        case "csv": return .init(mime: "text/csv", kind: .unknown, fileExtension: "csv")
        case "md", "markdown": return .init(mime: "text/markdown", kind: .unknown, fileExtension: "md")
        default: return .init(mime: "text/plain", kind: .unknown, fileExtension: "txt")
        }
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= bytes.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
