/// Splits a migration file into statements. PostgresNIO speaks only the extended query
/// protocol, which runs one statement per query, so a file's statements are sent one by one
/// (inside one transaction). Semicolons inside quotes, dollar-quoted bodies and comments do
/// not split.
enum SQLScript {
    static func statements(in sql: String) -> [String] {
        let chars = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var i = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if hasCode, !text.isEmpty { statements.append(text) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        func appendUntil(_ end: [Unicode.Scalar], from start: Int) -> Int {
            // Copies chars[start...] up to and including `end`; returns the index after it.
            var j = start
            while j < chars.count {
                if j + end.count <= chars.count, Array(chars[j..<j + end.count]) == end {
                    current.append(contentsOf: chars[j..<j + end.count])
                    return j + end.count
                }
                current.append(chars[j])
                j += 1
            }
            return j
        }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            switch c {
            case "-" where next == "-":
                // Line comment: dropped, so a file of only comments yields no statement.
                while i < chars.count, chars[i] != "\n" { i += 1 }
            case "/" where next == "*":
                var depth = 0
                while i < chars.count {
                    if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" { depth += 1; i += 2; continue }
                    if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "/" {
                        depth -= 1; i += 2
                        if depth == 0 { break }
                        continue
                    }
                    i += 1
                }
                current.append(" ")
            case "'", "\"":
                hasCode = true
                current.append(c)
                // '' and "" are escaped quotes: they end one quoted run and open the next.
                i = appendUntil([c], from: i + 1)
                continue
            case "$":
                // A dollar quote: $$ or $tag$, tag = letters, digits, underscore, not starting with a digit.
                var j = i + 1
                while j < chars.count, chars[j] == "_" || chars[j].properties.isAlphabetic || (j > i + 1 && ("0"..."9").contains(chars[j])) {
                    j += 1
                }
                if j < chars.count, chars[j] == "$" {
                    let tag = Array(chars[i...j])
                    current.append(contentsOf: tag)
                    hasCode = true
                    i = appendUntil(tag, from: j + 1)
                    continue
                }
                current.append(c)
                hasCode = true
            case ";":
                flush()
            default:
                if !c.properties.isWhitespace { hasCode = true }
                current.append(c)
            }
            i += 1
        }
        flush()
        return statements
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
