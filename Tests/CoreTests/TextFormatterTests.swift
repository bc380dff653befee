import Core
import Testing

@Suite struct TextFormatterTests {
    let formatter = TextFormatter(baseURL: "https://kith.example")

    @Test func mentionsTagsLinksAndParagraphs() {
        let text = "Hi @bob and @carol@sub.example:8443!\nSee https://example.org/a?b=1&c=2. #Kith #2024 #kith\n\nbye <script>"
        #expect(formatter.mentionReferences(text) == ["bob", "carol@sub.example:8443"])
        let result = formatter.format(text) { reference in
            reference == "bob" ? "https://kith.example/@bob" : (reference.hasPrefix("carol") ? "https://sub.example:8443/@carol" : nil)
        }
        #expect(result.mentions == ["bob", "carol@sub.example:8443"])
        #expect(result.tags == ["kith"])
        #expect(result.html.hasPrefix("<p>Hi <span class=\"h-card\" translate=\"no\"><a href=\"https://kith.example/@bob\" class=\"u-url mention\">@<span>bob</span></a></span>"))
        #expect(result.html.contains(#"<a href="https://sub.example:8443/@carol" class="u-url mention">@<span>carol</span></a>"#))
        #expect(result.html.contains("<br>See <a href=\"https://example.org/a?b=1&amp;c=2\""))
        #expect(result.html.contains("</a>. <a href=\"https://kith.example/tags/kith\" class=\"mention hashtag\" rel=\"tag\">#<span>Kith</span></a>"))
        #expect(result.html.contains("#2024"))  // numbers alone are not tags
        #expect(result.html.hasSuffix("<p>bye &lt;script&gt;</p>"))
    }

    @Test func unresolvedMentionsStayText() {
        let result = formatter.format("hello @ghost@nowhere.example and me@example.com") { _ in nil }
        #expect(result.mentions.isEmpty)
        #expect(result.html == "<p>hello @ghost@nowhere.example and me@example.com</p>")
    }
}
