import Domain

/// Turns what an author wrote into a post, the one way for every surface (the Mastodon API,
/// ActivityPub C2S): the text checked against the node's limit, formatted (paragraphs, links,
/// hashtags, @mentions linked and addressed), the reply's parent found and required visible to
/// the author, the addressees resolved. `SocialService.post` then stores it, addresses it (a
/// reply to a local-only post stays local; a post to a group reaches the group) and records
/// its delivery.
public struct PostComposer: Sendable {
    let social: SocialService
    let statuses: any StatusRepository
    let directory: any ActorDirectory
    let node: NodeIdentity
    /// Characters a post's text may have (the instance entity's `max_characters`).
    public let maxPostLength: Int

    public init(
        social: SocialService, statuses: any StatusRepository, directory: any ActorDirectory, node: NodeIdentity, maxPostLength: Int = 5000
    ) {
        self.social = social
        self.statuses = statuses
        self.directory = directory
        self.node = node
        self.maxPostLength = maxPostLength
    }

    /// A post as its author wrote it.
    public struct Draft: Sendable {
        /// The post being answered: by id (the Mastodon API) or by URI (ActivityPub).
        public enum Parent: Sendable, Equatable {
            case id(Int64)
            case uri(String)
        }

        /// Plain text; `@user`, `@user@domain`, `#tag` and links are recognised.
        public var text: String
        public var visibility: Visibility
        public var inReplyTo: Parent?
        /// Actors addressed beyond the text's mentions (ActivityPub's to/cc), by URI or `user@domain`.
        public var addressees: [String]
        public var spoilerText: String
        public var sensitive: Bool
        public var language: String?
        public var localOnly: Bool

        public init(
            text: String, visibility: Visibility = .public, inReplyTo: Parent? = nil, addressees: [String] = [], spoilerText: String = "",
            sensitive: Bool = false, language: String? = nil, localOnly: Bool = false
        ) {
            self.text = text
            self.visibility = visibility
            self.inReplyTo = inReplyTo
            self.addressees = addressees
            self.spoilerText = spoilerText
            self.sensitive = sensitive
            self.language = language
            self.localOnly = localOnly
        }
    }

    /// Posts `draft` as `author`. Blank or too long: 422 with Mastodon's message; a parent that
    /// does not exist or that the author cannot see: 404.
    public func compose(_ draft: Draft, by author: Account) async throws -> Status {
        let text = try validated(draft.text)
        var parentID: Int64?
        switch draft.inReplyTo {
        case .id(let id): parentID = id
        case .uri(let uri):
            guard let parent = try await statuses.status(uri: uri) else { throw KithError(.notFound, "Record not found") }
            parentID = parent.id
        case nil: break
        }
        let formatter = TextFormatter(baseURL: node.baseURL)
        var resolved: [String: Account] = [:]
        for reference in formatter.mentionReferences(text) {
            // An unknown or unreachable account stays plain text, as on Mastodon.
            if let found = try? await directory.resolve(reference.contains("@") ? reference : "\(reference)@\(node.domain)") {
                resolved[reference] = found
            }
        }
        let formatted = formatter.format(text) { resolved[$0].map { $0.url ?? $0.uri } }
        var mentions = formatted.mentions.compactMap { resolved[$0]?.uri }
        for addressee in draft.addressees where addressee != author.uri && !mentions.contains(addressee) {
            if let found = try? await directory.resolve(addressee), !mentions.contains(found.uri) { mentions.append(found.uri) }
        }
        return try await social.post(
            accountID: author.id,
            .init(
                content: formatted.html, visibility: draft.visibility, inReplyToID: parentID, mentions: mentions, tags: formatted.tags,
                spoilerText: draft.spoilerText, sensitive: draft.sensitive, language: draft.language, localOnly: draft.localOnly))
    }

    /// Edits `status` (the author's own) to `text`: its mentions stay as they were (the
    /// audience does not change), links and tags follow the new text.
    public func edit(
        _ status: Status, text: String, spoilerText: String?, sensitive: Bool?, language: String?, by author: Account
    ) async throws -> Status {
        let text = try validated(text)
        let known = Dictionary(status.mentions.map { ($0.name.dropFirst().lowercased(), $0.uri) }) { first, _ in first }
        let formatted = TextFormatter(baseURL: node.baseURL).format(text) { reference in
            let key = reference.lowercased()
            return known[key] ?? known.first { $0.key.hasPrefix(key + "@") }?.value
        }
        return try await social.edit(
            accountID: author.id, statusID: status.id, content: formatted.html, spoilerText: spoilerText, sensitive: sensitive,
            language: language, tags: formatted.tags)
    }

    /// A post's text: not blank, within the node's limit (422 otherwise, as Mastodon answers).
    public func validated(_ text: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KithError(.unprocessable, "Validation failed: Text can't be blank")
        }
        guard text.count <= maxPostLength else {
            throw KithError(.unprocessable, "Validation failed: Text character limit of \(maxPostLength) exceeded")
        }
        return text
    }
}
