import ActivityStreams
import Testing

/// RFC 8785's own examples: what a proof signs must be byte for byte what another
/// implementation signs.
@Suite struct JCSTests {
    @Test func theRFCsExampleIsCanonicalisedExactly() throws {
        let input = #"""
            {"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
             "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
             "literals": [null, true, false]}
            """#
        let canonical = JCS.canonical(try JSONValue.parse(Array(input.utf8)))
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(String(decoding: canonical, as: UTF8.self) == expected)
    }

    @Test func membersAreSortedByUTF16CodeUnits() throws {
        // RFC 8785 §3.2.3: by UTF-16, the emoji (a surrogate pair) sorts before U+FB33, though
        // by code point or UTF-8 it would sort after.
        let keys = ["\u{20ac}", "\r", "\u{fb33}", "1", "\u{1F600}", "\u{80}", "\u{f6}"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.string("x")) }))
        let canonical = String(decoding: JCS.canonical(object), as: UTF8.self)
        let order = ["\\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1F600}", "\u{fb33}"]
        var position = canonical.startIndex
        for key in order {
            let found = try #require(canonical.range(of: "\"\(key)\":", range: position..<canonical.endIndex), "\(key) out of order in \(canonical)")
            position = found.upperBound
        }
    }

    @Test func numbersAreWrittenAsECMAScriptWritesThem() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (4.5, "4.5"), (0.002, "0.002"), (1e-6, "0.000001"), (1.5e-7, "1.5e-7"),
            (1e-27, "1e-27"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1e30, "1e+30"), (123456789012345680000, "123456789012345680000"),
            (333333333.33333329, "333333333.3333333"), (9007199254740991, "9007199254740991"), (-5e-324, "-5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"), (100, "100"), (12.5e3, "12500"),
        ]
        for (value, text) in cases {
            #expect(JCS.number(value) == text, "\(value)")
        }
        #expect(JCS.number(.nan) == "null")
    }
}
