/// Keeps only the HTML Mastodon keeps in posts from other servers: a few formatting tags, links
/// with safe schemes, and the classes mentions and hashtags use. Everything else is removed;
/// the text of removed tags stays, except inside `script`, `style` and the like, which go whole.
public enum HTMLSanitizer {
    static let allowedTags: Set<String> = [
        "p", "br", "span", "a", "del", "s", "pre", "code", "em", "strong", "b", "i", "u", "ul", "ol", "li", "blockquote",
        "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
    ]
    static let droppedWithContent: Set<String> = ["script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "head", "title", "textarea", "select"]
    static let voidTags: Set<String> = ["br"]
    static let allowedSchemes: Set<String> = ["http", "https", "mailto", "xmpp", "magnet", "gemini", "gopher", "dat", "dweb", "ipfs", "ipns", "ssb"]
    static let allowedClasses: Set<String> = ["mention", "hashtag", "u-url", "h-card", "invisible", "ellipsis", "quote-inline"]

    public static func sanitize(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        let chars = Array(html.unicodeScalars)
        var i = 0
        var skipUntil: String?
        while i < chars.count {
            let c = chars[i]
            if c != "<" {
                if skipUntil == nil {
                    if c == ">" { out += "&gt;" } else { out.unicodeScalars.append(c) }
                }
                i += 1
                continue
            }
            // A comment, doctype or processing instruction: dropped.
            if i + 1 < chars.count, chars[i + 1] == "!" || chars[i + 1] == "?" {
                let rest = String(String.UnicodeScalarView(chars[i...]))
                if rest.hasPrefix("<!--"), let end = rest.range(of: "-->") {
                    i += rest.unicodeScalars.distance(from: rest.unicodeScalars.startIndex, to: end.upperBound)
                } else {
                    while i < chars.count, chars[i] != ">" { i += 1 }
                    i += 1
                }
                continue
            }
            guard let (tag, next) = parseTag(chars, from: i) else {
                if skipUntil == nil { out += "&lt;" }
                i += 1
                continue
            }
            i = next
            if let skipping = skipUntil {
                if tag.closing && tag.name == skipping { skipUntil = nil }
                continue
            }
            if droppedWithContent.contains(tag.name) {
                if !tag.closing && !tag.selfClosing { skipUntil = tag.name }
                continue
            }
            guard allowedTags.contains(tag.name) else { continue }
            if tag.closing {
                if !voidTags.contains(tag.name) { out += "</\(tag.name)>" }
                continue
            }
            out += "<" + tag.name
            for (name, value) in tag.attributes {
                guard let kept = keep(tag: tag.name, attribute: name, value: value) else { continue }
                out += " \(name)=\"\(escape(kept))\""
            }
            if tag.name == "a" { out += " rel=\"nofollow noopener noreferrer\" target=\"_blank\"" }
            out += ">"
        }
        return out
    }

    /// Strips every tag, keeping the text (for fields that are plain text, like a content warning).
    public static func plainText(_ html: String) -> String {
        var text = sanitize(html)
        while let open = text.range(of: "<"), let close = text.range(of: ">", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func keep(tag: String, attribute: String, value: String) -> String? {
        switch (tag, attribute) {
        case ("a", "href"):
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let colon = trimmed.firstIndex(of: ":") else { return nil }
            let scheme = trimmed[..<colon].lowercased()
            return allowedSchemes.contains(scheme) ? trimmed : nil
        case ("a", "class"), ("span", "class"):
            let classes = value.split(separator: " ").map(String.init).filter { allowedClasses.contains($0) }
            return classes.isEmpty ? nil : classes.joined(separator: " ")
        case ("a", "translate"), ("span", "translate"):
            return value == "no" ? "no" : nil
        case ("ol", "start"), ("li", "value"):
            return Int(value).map(String.init)
        case ("ol", "reversed"):
            return "reversed"
        default:
            return nil
        }
    }

    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var attributes: [(String, String)]
    }

    /// Parses `<name attr="v" …>` at `start`; nil when it is not a tag (a lone `<`).
    static func parseTag(_ chars: [Unicode.Scalar], from start: Int) -> (Tag, Int)? {
        var i = start + 1
        var closing = false
        if i < chars.count, chars[i] == "/" {
            closing = true
            i += 1
        }
        var name = ""
        while i < chars.count, chars[i].properties.isAlphabetic || ("0"..."9").contains(chars[i]) {
            name.unicodeScalars.append(chars[i])
            i += 1
        }
        guard !name.isEmpty else { return nil }
        var attributes: [(String, String)] = []
        var selfClosing = false
        while i < chars.count, chars[i] != ">" {
            let c = chars[i]
            if c == " " || c == "\n" || c == "\t" || c == "\r" {
                i += 1
                continue
            }
            if c == "/" {
                selfClosing = true
                i += 1
                continue
            }
            var attribute = ""
            while i < chars.count, !" \n\t\r=>/".unicodeScalars.contains(chars[i]) {
                attribute.unicodeScalars.append(chars[i])
                i += 1
            }
            var value = ""
            if i < chars.count, chars[i] == "=" {
                i += 1
                if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]
                    i += 1
                    while i < chars.count, chars[i] != quote {
                        value.unicodeScalars.append(chars[i])
                        i += 1
                    }
                    i += 1
                } else {
                    while i < chars.count, !" \n\t\r>".unicodeScalars.contains(chars[i]) {
                        value.unicodeScalars.append(chars[i])
                        i += 1
                    }
                }
            }
            if !attribute.isEmpty { attributes.append((attribute.lowercased(), decodeEntities(value))) }
        }
        guard i < chars.count else { return nil }  // unterminated: not a tag
        return (Tag(name: name.lowercased(), closing: closing, selfClosing: selfClosing, attributes: attributes), i + 1)
    }

    static func decodeEntities(_ value: String) -> String {
        value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ value: String) -> String { ASObject.escapeHTML(value) }
}
