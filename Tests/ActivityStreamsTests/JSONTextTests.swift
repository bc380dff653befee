import ActivityStreams
import Foundation
import Testing

/// JSONValue reads and writes JSON text itself (the inbox and the client API's hot path); it
/// must agree with Foundation's JSONDecoder and JSONEncoder on real payloads and refuse what
/// they refuse.
@Suite struct JSONTextTests {
    static let folders = ["gotosocial", "mastodon", "misskey", "akkoma", "pleroma", "lemmy", "signatures"]

    @Test func agreesWithFoundationOnEveryCapturedPayload() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var checked = 0
        for folder in Self.folders {
            for path in Fixtures.files(in: folder) {
                let data = try Fixtures.data(path)
                let ours = try JSONValue.parse(data)
                let foundation = try JSONDecoder().decode(JSONValue.self, from: data)
                #expect(ours == foundation, "\(path) parses differently")
                #expect(ours.serialized() == Array(try encoder.encode(foundation)), "\(path) serialises differently")
                checked += 1
            }
        }
        #expect(checked >= 30)
    }

    @Test func readsEscapesAndNumbers() throws {
        let value = try JSONValue.parse(Array(#"{"a":"caf\u00e9 \ud83d\ude00\n\"q\" \/","n":[-0.5,1e3,0,12,-7E-2],"t":true,"f":false,"z":null}"#.utf8))
        #expect(value["a"]?.stringValue == "café 😀\n\"q\" /")
        #expect(value["n"]?.listValue.compactMap(\.numberValue) == [-0.5, 1000, 0, 12, -0.07])
        #expect(value["t"]?.boolValue == true)
        #expect(value["f"]?.boolValue == false)
        #expect(value["z"] == .null)
    }

    @Test func writesCompactSortedEscapedText() {
        let value: JSONValue = ["b": "a/b \"c\"\n\u{1}é", "a": [1, .number(2.5), .null, true], "c": [:]]
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":[1,2.5,null,true],"b":"a/b \"c\"\n\u0001é","c":{}}"#)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5", "+1", "-", "1e", "NaN", "tru",
        "nul", "\"open", "\"tab\there\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "[1] 2", "{\"a\":1}}", "'a'",
    ])
    func refusesInvalidText(_ text: String) {
        #expect(throws: ActivityStreamsError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: ActivityStreamsError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: ActivityStreamsError.self) { try JSONValue.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(Array(fine.utf8))) != nil)
    }
}
