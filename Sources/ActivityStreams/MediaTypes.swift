/// The media types ActivityPub peers send and accept. Both forms must be served and accepted:
/// Mastodon sends `application/activity+json`; the spec's canonical form is the ld+json one.
public enum ActivityStreamsMediaType {
    public static let activityJSON = "application/activity+json"
    public static let ldJSON = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
    public static let context = "https://www.w3.org/ns/activitystreams"

    /// Whether a `Content-Type` or one `Accept` entry names ActivityStreams JSON.
    public static func matches(_ headerValue: String) -> Bool {
        let parts = headerValue.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        guard let type = parts.first?.lowercased() else { return false }
        if type == activityJSON { return true }
        guard type == "application/ld+json" else { return false }
        return parts.dropFirst().contains { param in
            let kv = param.split(separator: "=", maxSplits: 1)
            return kv.count == 2 && kv[0].lowercased() == "profile"
                && kv[1].trimmingCharacters(in: "\"").split(separator: " ").contains { $0 == context }
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
