import ActivityStreams
import Core
import Domain
import Foundation

/// Stores posts from other nodes: those that arrive (a Create, an Announce, a pinned post) and
/// those fetched because something names them (a reply's missing parent, a boosted or pinned
/// post not seen before, a URL searched for).
public struct RemotePosts: Sendable, PostResolver {
    let accounts: any RemoteAccountRepository
    let statuses: any StatusRepository
    let resolver: any RemoteDirectory
    let policy: DomainPolicyService
    /// How many missing parents are fetched up a thread.
    let maxThreadDepth: Int
    /// Told of each new post stored (groups Announce theirs).
    let listener: (any PostListener)?

    public init(
        accounts: any RemoteAccountRepository, statuses: any StatusRepository, resolver: any RemoteDirectory, policy: DomainPolicyService,
        maxThreadDepth: Int, listener: (any PostListener)?
    ) {
        self.accounts = accounts
        self.statuses = statuses
        self.resolver = resolver
        self.policy = policy
        self.maxThreadDepth = maxThreadDepth
        self.listener = listener
    }

    /// Stores a remote post by `author`, first fetching a missing parent (up to the depth
    /// limit) so the thread holds together. Nil when the post was deleted before (it stays so).
    func store(_ post: ASPost, author: Account, depth: Int = 0) async throws -> Status? {
        var parentID: Int64?
        if let parentURI = post.inReplyTo {
            // Known already: nothing to fetch. (A post that is not a reply needs no look first:
            // inserting one that exists gives back the stored row.)
            if let existing = try await statuses.status(uri: post.id) { return existing }
            if let parent = try await statuses.status(uri: parentURI) {
                parentID = parent.id
            } else if depth < maxThreadDepth, !resolver.isLocal(parentURI), try await policy.allows(uri: parentURI) {
                parentID = try? await fetch(parentURI, depth: depth + 1)?.id
            }
        }
        let status = Status(
            uri: post.id, url: post.url, accountID: author.id, local: false, objectType: post.type, inReplyToID: parentID,
            inReplyToURI: post.inReplyTo, contextURI: post.context, title: post.name.map(HTMLSanitizer.plainText),
            content: HTMLSanitizer.sanitize(post.content), spoilerText: post.summary.map(HTMLSanitizer.plainText) ?? "", sensitive: post.sensitive,
            visibility: Addressing.visibility(to: post.to, cc: post.cc, followers: author.followersURI), language: post.language,
            to: post.to, cc: post.cc, publishedAt: post.published ?? Date(), editedAt: post.updated,
            mentions: post.mentions.map { Mention(uri: $0.href, name: $0.name) }, tags: post.hashtags)
        do {
            let (stored, inserted) = try await statuses.insert(status, publish: nil)
            if inserted { try await listener?.posted(stored) }
            return stored
        } catch let error as KithError where error.kind == .conflict {
            return nil  // deleted before: stays deleted
        }
    }

    /// Fetches a post from its node, with its author, and stores it. Nil when the post's id is
    /// not on its author's node (no node speaks for another's posts).
    func fetch(_ uri: String, depth: Int = 0) async throws -> Status? {
        let json = try await resolver.object(uri: uri)
        let post = try ASPost(json)
        let author = try await resolver.actor(uri: post.attributedTo)
        guard DomainPolicyService.domain(of: post.id) == DomainPolicyService.domain(of: author.uri) else { return nil }
        return try await store(post, author: author, depth: depth)
    }

    /// The stored post with this URI, or, when it is on another node this one federates with,
    /// the post fetched from there.
    func known(orFetched uri: String) async throws -> Status? {
        if let known = try await statuses.status(uri: uri) { return known }
        guard !resolver.isLocal(uri), try await policy.allows(uri: uri) else { return nil }
        return try await fetch(uri)
    }

    /// A post a group embeds in its Announce (FEP-1b12) is taken from the Announce only when the
    /// post and its author live on the group's own node, which signed the Announce and so speaks
    /// for them; a post from anywhere else is fetched from its origin.
    func embedded(in activity: ASActivity, by group: Account) async throws -> Status? {
        guard let object = activity.object, object.objectValue != nil,
            ASObject.types(of: object).contains(where: ASPost.postTypes.contains), let post = try? ASPost(object)
        else { return nil }
        let groupHost = DomainPolicyService.domain(of: group.uri)
        guard DomainPolicyService.domain(of: post.id) == groupHost, DomainPolicyService.domain(of: post.attributedTo) == groupHost,
            !resolver.isLocal(post.id)
        else { return nil }
        var author = try await accounts.account(uri: post.attributedTo)
        if author == nil { author = try await resolver.actor(uri: post.attributedTo) }
        guard let author, !author.suspended else { return nil }
        return try await store(post, author: author)
    }

    /// Fetches a post from its (allowed) node, with its author, and stores it.
    public func resolvePost(url: String) async throws -> Status? {
        do {
            return try await known(orFetched: url)
        } catch is ActivityStreamsError {
            return nil  // not a post
        }
    }
}
