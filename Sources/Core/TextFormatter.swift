import ActivityStreams
import Domain
import Foundation

/// Turns a post written as plain text into the HTML that is stored and federated, the way
/// Mastodon renders it: paragraphs and line breaks, links, `@user` / `@user@domain` mentions
/// (resolved to actors) and `#tags`.
public struct TextFormatter: Sendable {
    public struct Result: Sendable, Equatable {
        public var html: String
        /// The mention references as written (`user` or `user@domain`), in order, once each.
        public var mentions: [String]
        public var tags: [String]
    }

    let baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    enum Token: Equatable {
        case text(String)
        case link(String)
        case mention(String)
        case tag(String)
        case newline
    }

    /// Splits text into tokens. `resolve` maps a mention reference to the profile URL it links
    /// to, or nil to leave the text as written.
    public func format(_ text: String, resolve: (String) -> String?) -> Result {
        var mentions: [String] = []
        var tags: [String] = []
        var paragraphs: [String] = []
        for block in text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
            let trimmed = block.trimmingCharacters(in: .newlines)
            guard !trimmed.isEmpty else { continue }
            var html = ""
            for token in tokenize(trimmed) {
                switch token {
                case .text(let text):
                    html += Self.escape(text)
                case .newline:
                    html += "<br>"
                case .link(let url):
                    html += #"<a href="\#(Self.escape(url))" target="_blank" rel="nofollow noopener noreferrer">\#(Self.escape(url))</a>"#
                case .tag(let name):
                    if !tags.contains(name.lowercased()) { tags.append(name.lowercased()) }
                    html += #"<a href="\#(Self.escape(baseURL))/tags/\#(Self.escape(name.lowercased()))" class="mention hashtag" rel="tag">#<span>\#(Self.escape(name))</span></a>"#
                case .mention(let reference):
                    if let url = resolve(reference) {
                        if !mentions.contains(reference) { mentions.append(reference) }
                        let username = reference.split(separator: "@").first.map(String.init) ?? reference
                        html += #"<span class="h-card" translate="no"><a href="\#(Self.escape(url))" class="u-url mention">@<span>\#(Self.escape(username))</span></a></span>"#
                    } else {
                        html += Self.escape("@" + reference)
                    }
                }
            }
            paragraphs.append("<p>\(html)</p>")
        }
        return Result(html: paragraphs.joined(), mentions: mentions, tags: tags)
    }

    /// The mention references in `text`, to resolve before formatting.
    public func mentionReferences(_ text: String) -> [String] {
        var seen: [String] = []
        for token in tokenize(text) {
            if case .mention(let reference) = token, !seen.contains(reference) { seen.append(reference) }
        }
        return seen
    }

    func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var plain = ""
        let characters = Array(text)
        var i = 0
        func flush() {
            if !plain.isEmpty { tokens.append(.text(plain)) }
            plain = ""
        }
        func isBoundary(_ index: Int) -> Bool {
            index == 0 || !(characters[index - 1].isLetter || characters[index - 1].isNumber || characters[index - 1] == "_" || characters[index - 1] == "/")
        }
        while i < characters.count {
            let c = characters[i]
            if c == "\n" {
                flush()
                tokens.append(.newline)
                i += 1
                continue
            }
            if (c == "h" || c == "H"), isBoundary(i) {
                let rest = String(characters[i...].prefix(8)).lowercased()
                if rest.hasPrefix("https://") || rest.hasPrefix("http://") {
                    var j = i
                    while j < characters.count, !characters[j].isWhitespace, characters[j] != "<", characters[j] != ">", characters[j] != "\"" { j += 1 }
                    // Trailing punctuation belongs to the sentence, not the link.
                    while j > i, ".,;:!?)'".contains(characters[j - 1]) { j -= 1 }
                    let url = String(characters[i..<j])
                    if url.count > (rest.hasPrefix("https") ? 8 : 7) {
                        flush()
                        tokens.append(.link(url))
                        i = j
                        continue
                    }
                }
            }
            if c == "@", isBoundary(i) {
                var j = i + 1
                while j < characters.count, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" { j += 1 }
                var reference = String(characters[(i + 1)..<j])
                if j < characters.count, characters[j] == "@" {
                    var k = j + 1
                    while k < characters.count, characters[k].isLetter || characters[k].isNumber || "-.:_".contains(characters[k]) { k += 1 }
                    while k > j + 1, ".:".contains(characters[k - 1]) { k -= 1 }
                    if k > j + 1 {
                        reference += "@" + String(characters[(j + 1)..<k])
                        j = k
                    }
                }
                if !reference.isEmpty, !reference.hasPrefix("@") {
                    flush()
                    tokens.append(.mention(reference))
                    i = j
                    continue
                }
            }
            if c == "#", isBoundary(i) {
                var j = i + 1
                while j < characters.count, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" { j += 1 }
                let name = String(characters[(i + 1)..<j])
                if !name.isEmpty, !name.allSatisfy(\.isNumber) {
                    flush()
                    tokens.append(.tag(name))
                    i = j
                    continue
                }
            }
            plain.append(c)
            i += 1
        }
        flush()
        return tokens
    }

    static func escape(_ text: String) -> String { ASObject.escapeHTML(text) }
}
