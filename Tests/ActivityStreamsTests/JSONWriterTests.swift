import ActivityStreams
import Testing

/// The typed writer makes the bytes `JSONText` makes of the same value: nesting, arrays,
/// escaping, nulls, numbers.
@Suite struct JSONWriterTests {
    struct Item: JSONWritable {
        var name: String
        var count: Int
        var note: String?
        var tags: [String]
        var child: JSONValue

        func write(to json: inout JSONWriter) {
            json.object { json in
                json.field("child", child)
                json.field("count", count)
                json.field("name", name)
                json.field("note", note)
                json.field("tags", tags)
            }
        }
    }

    @Test func writesWhatTheSameValueWrites() throws {
        let items = [
            Item(name: "a \"quoted\"\n/slash\\ \u{1}", count: -42, note: nil, tags: [], child: ["z": 1, "a": [true, .null, .number(1.5)]]),
            Item(name: "é😀", count: 1 << 40, note: "n", tags: ["x", "y"], child: .object([:])),
        ]
        let bytes = JSONWriter.serialize(items)
        let expected: JSONValue = [
            ["name": "a \"quoted\"\n/slash\\ \u{1}", "count": -42, "note": .null, "tags": [], "child": ["z": 1, "a": [true, .null, .number(1.5)]]],
            ["name": "é😀", "count": .number(Double(1 << 40)), "note": "n", "tags": ["x", "y"], "child": .object([:])],
        ]
        #expect(bytes == expected.serialized())
        #expect(try JSONValue.parse(bytes) == expected)
    }
}
