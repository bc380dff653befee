import Core
import Domain
import Testing

/// Each type is known by its bytes whatever the client calls it; markup a browser would run is
/// marked executable; bytes of no known type are refused.
@Suite struct MediaSnifferTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    /// An ISO media file's `ftyp` box: size, "ftyp", major brand, version, compatible brands.
    static func ftyp(_ major: String, _ compatible: [String] = []) -> [UInt8] {
        let body = bytes("ftyp") + bytes(major) + [0, 0, 0, 0] + compatible.flatMap(bytes)
        let size = body.count + 4
        return [0, 0, 0, UInt8(size)] + body + [0, 0, 0, 8] + bytes("free")
    }
    /// A ZIP local file header for `name`, as the first entry of an archive.
    static func zip(_ name: String, stored: String = "") -> [UInt8] {
        [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 22) + [UInt8(name.utf8.count), 0, 0, 0] + bytes(name) + bytes(stored)
    }

    static let cases: [(String, [UInt8], String, MediaKind)] = [
        ("jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + bytes("JFIF"), "image/jpeg", .image),
        ("png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + bytes("IHDR"), "image/png", .image),
        ("gif", bytes("GIF89a") + [1, 0, 1, 0], "image/gif", .image),
        ("webp", bytes("RIFF") + [36, 0, 0, 0] + bytes("WEBPVP8 "), "image/webp", .image),
        ("avif", ftyp("avif", ["mif1", "miaf"]), "image/avif", .image),
        ("heic", ftyp("heic", ["mif1", "heic"]), "image/heic", .image),
        ("mp4", ftyp("isom", ["isom", "iso2", "avc1", "mp41"]), "video/mp4", .video),
        ("mov", ftyp("qt  ", ["qt  "]), "video/quicktime", .video),
        ("m4a", ftyp("M4A ", ["M4A ", "mp42", "isom"]), "audio/mp4", .audio),
        ("webm", [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84] + bytes("webm"), "video/webm", .video),
        ("mkv", [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88] + bytes("matroska"), "video/x-matroska", .video),
        ("ogg", bytes("OggS") + [0, 2] + [UInt8](repeating: 0, count: 20) + bytes("\u{1}vorbis"), "audio/ogg", .audio),
        ("wav", bytes("RIFF") + [36, 0, 0, 0] + bytes("WAVEfmt "), "audio/wav", .audio),
        ("flac", bytes("fLaC") + [0, 0, 0, 34], "audio/flac", .audio),
        ("mp3 with ID3", bytes("ID3") + [4, 0, 0, 0, 0, 0, 0], "audio/mpeg", .audio),
        ("mp3 frame", [0xFF, 0xFB, 0x90, 0x64, 0, 0], "audio/mpeg", .audio),
        ("pdf", bytes("%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj"), "application/pdf", .unknown),
        ("docx", zip("[Content_Types].xml") + zip("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", .unknown),
        ("xlsx", zip("[Content_Types].xml") + zip("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", .unknown),
        ("pptx", zip("[Content_Types].xml") + zip("ppt/presentation.xml"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", .unknown),
        ("odt", zip("mimetype", stored: "application/vnd.oasis.opendocument.text"), "application/vnd.oasis.opendocument.text", .unknown),
        ("zip", zip("notes/readme.txt"), "application/zip", .unknown),
        ("doc (OLE)", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], "application/x-ole-storage", .unknown),
        ("rtf", bytes("{\\rtf1\\ansi hello}"), "application/rtf", .unknown),
        ("gzip", [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0], "application/gzip", .unknown),
        ("text", bytes("Agenda for Monday\n- budget\n- hiring ✓\n"), "text/plain", .unknown),
    ]

    @Test(arguments: cases.indices) func knownByItsBytes(_ index: Int) {
        let (name, bytes, mime, kind) = Self.cases[index]
        let sniffed = MediaSniffer.sniff(bytes, fileName: "upload.bin")
        #expect(sniffed?.mime == mime, "\(name)")
        #expect(sniffed?.kind == kind, "\(name)")
        #expect(sniffed?.executable == false, "\(name)")
    }

    @Test func theClientsNameDoesNotDecideTheType() {
        // A PNG named .pdf is a PNG; text named .exe is text; only text subtypes follow the name.
        #expect(MediaSniffer.sniff(Self.cases[1].1, fileName: "report.pdf")?.mime == "image/png")
        #expect(MediaSniffer.sniff(Self.bytes("a,b\n1,2\n"), fileName: "tool.exe")?.mime == "text/plain")
        #expect(MediaSniffer.sniff(Self.bytes("a,b\n1,2\n"), fileName: "Q3 figures.CSV")?.mime == "text/csv")
        #expect(MediaSniffer.sniff(Self.bytes("# Plan\n"), fileName: "plan.md")?.mime == "text/markdown")
    }

    @Test func markupABrowserWouldRunIsExecutable() {
        let executable = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "\u{FEFF}  <?xml version=\"1.0\"?>\n<!DOCTYPE svg><svg></svg>",
            "<!DOCTYPE html><html><body>hi</body></html>",
            "\n\n<HTML><script>x()</script>",
            "<?xml version=\"1.0\"?><note/>",
        ]
        for text in executable {
            let sniffed = MediaSniffer.sniff(Self.bytes(text), fileName: "picture.png")
            #expect(sniffed?.executable == true, "\(text)")
            #expect(sniffed?.kind == .unknown, "\(text)")
        }
    }

    @Test func bytesOfNoKnownTypeAreRefused() {
        #expect(MediaSniffer.sniff([]) == nil)
        #expect(MediaSniffer.sniff([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0]) == nil)  // an ELF executable
        #expect(MediaSniffer.sniff([0x4D, 0x5A, 0x90, 0x00, 0x03]) == nil)  // a Windows executable
        #expect(MediaSniffer.sniff([0xC3, 0x28, 0x41, 0x42]) == nil)  // not UTF-8
        // A long valid text cut inside a character is still text.
        let cut = Array(String(repeating: "é", count: MediaSniffer.prefixLength).utf8.prefix(MediaSniffer.prefixLength + 1))
        #expect(MediaSniffer.sniff(cut)?.mime == "text/plain")
    }
}
