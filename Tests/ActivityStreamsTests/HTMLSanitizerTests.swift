import ActivityStreams
import Testing

@Suite struct HTMLSanitizerTests {
    @Test func keepsMastodonsFormatting() {
        let mention = #"<p>Hi <span class="h-card" translate="no"><a href="https://x.example/@bob" class="u-url mention">@<span>bob</span></a></span> <a href="https://x.example/tags/kith" class="mention hashtag" rel="tag">#<span>kith</span></a><br>line</p>"#
        #expect(HTMLSanitizer.sanitize(mention) == #"<p>Hi <span class="h-card" translate="no"><a href="https://x.example/@bob" class="u-url mention" rel="nofollow noopener noreferrer" target="_blank">@<span>bob</span></a></span> <a href="https://x.example/tags/kith" class="mention hashtag" rel="nofollow noopener noreferrer" target="_blank">#<span>kith</span></a><br>line</p>"#)
        #expect(HTMLSanitizer.sanitize("<ol start=\"3\"><li>one</li></ol><blockquote><em>q</em></blockquote>") == "<ol start=\"3\"><li>one</li></ol><blockquote><em>q</em></blockquote>")
    }

    @Test(arguments: [
        (#"<script>alert(1)</script>ok"#, "ok"),
        (#"<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok"#, "ok"),
        (#"<img src=x onerror=alert(1)>ok"#, "ok"),
        (#"<a href="javascript:alert(1)">x</a>"#, #"<a rel="nofollow noopener noreferrer" target="_blank">x</a>"#),
        (#"<a href=" JaVaScRiPt:alert(1)">x</a>"#, #"<a rel="nofollow noopener noreferrer" target="_blank">x</a>"#),
        (#"<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>"#, #"<a rel="nofollow noopener noreferrer" target="_blank">x</a>"#),
        (#"<p onclick="steal()" style="position:fixed">hi</p>"#, "<p>hi</p>"),
        (#"<iframe src="https://evil.example"></iframe>after"#, "after"),
        (#"<style>body{display:none}</style>shown"#, "shown"),
        (#"<!-- <script>x</script> -->shown"#, "shown"),
        (#"<a href="https://ok.example" class="evil mention">x</a>"#, #"<a href="https://ok.example" class="mention" rel="nofollow noopener noreferrer" target="_blank">x</a>"#),
        (#"<p>1 < 2 > 0</p>"#, "<p>1 &lt; 2 &gt; 0</p>"),
        (#"<a href="https://x.example/?a=1&amp;b=&quot;2">l</a>"#, #"<a href="https://x.example/?a=1&amp;b=&quot;2" rel="nofollow noopener noreferrer" target="_blank">l</a>"#),
        (#"<div><h1>Title</h1><table><tr><td>cell</td></tr></table></div>"#, "<h1>Title</h1>cell"),
        ("<p>unterminated <a href=\"x", "<p>unterminated &lt;a href=\"x"),
    ])
    func removesWhatIsNotAllowed(input: String, expected: String) {
        #expect(HTMLSanitizer.sanitize(input) == expected)
    }

    @Test func plainTextForWarningsAndNames() {
        #expect(HTMLSanitizer.plainText("<b>CW:</b> spoilers &amp; more<script>x</script>") == "CW: spoilers & more")
    }
}
