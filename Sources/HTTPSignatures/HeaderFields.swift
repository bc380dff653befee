/// An HTTP header list as the signature code sees it: names compared case-insensitively, a
/// repeated field's values joined with ", " (RFC 9110 §5.3), order kept for output.
public struct HeaderFields: Sendable, Equatable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: HeaderFields, rhs: HeaderFields) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name.lowercased() == $1.name.lowercased() && $0.value == $1.value }
    }

    /// The combined value of every field named `name`, or nil when there is none.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        var values: [String] = []
        for field in fields where field.name.lowercased() == wanted {
            values.append(field.value.trimmingWhitespace())
        }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        let wanted = name.lowercased()
        if let first = fields.firstIndex(where: { $0.name.lowercased() == wanted }) {
            fields[first].value = value
            var index = fields.count - 1
            while index > first {
                if fields[index].name.lowercased() == wanted { fields.remove(at: index) }
                index -= 1
            }
        } else {
            fields.append((name: name, value: value))
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)[...]
        while let c = scalars.first, c == " " || c == "\t" { scalars = scalars.dropFirst() }
        while let c = scalars.last, c == " " || c == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
