import ActivityStreams
import Domain

/// Renders recorded outgoing activities of some kinds: the fields of their JSON beyond `id`,
/// `type`, `actor`, `to` and `cc` (already set from the record), and whom they go to.
public protocol OutboundRenderer: Sendable {
    /// The activity kinds it renders.
    var kinds: [OutgoingActivity.Kind] { get }
    func render(_ activity: inout RenderedActivity, in context: OutboundContext) async throws
    /// Whether a recorded activity of this kind is served at its id to whoever asks: it reveals
    /// nothing beyond what its audience may see. By default, when it is addressed to the public.
    func isServable(_ record: OutgoingActivity) -> Bool
}

extension OutboundRenderer {
    public func isServable(_ record: OutgoingActivity) -> Bool {
        (record.to + record.cc).contains(where: ASPublic.isPublic)
    }
}

/// An outgoing activity being rendered: what was recorded, its actor and target account, and
/// what the renderer makes of them.
public struct RenderedActivity: Sendable {
    public let published: PublishedActivity
    public var record: OutgoingActivity { published.activity }
    public let actor: Account
    /// The account named by `targetAccountID`, if it still exists.
    public let target: Account?
    public var json: [String: JSONValue]
    /// Accounts whose inboxes it goes to.
    public var recipients: [Account] = []
    /// Whether it also goes to the actor's followers' inboxes.
    public var toFollowers = false
    /// Sent to each recipient's own inbox, not to shared inboxes.
    public var direct = false
    /// Signed by the actor (FEP-8b32), so that whoever forwards it can show it is the actor's.
    public var signed = false
    /// Nothing to send (what it was about is gone).
    public var dropped = false
}

/// The renderers by kind, built once in App.
public struct OutboundRenderers: Sendable {
    let byKind: [OutgoingActivity.Kind: any OutboundRenderer]

    public init(_ renderers: [any OutboundRenderer]) {
        var table: [OutgoingActivity.Kind: any OutboundRenderer] = [:]
        for renderer in renderers {
            for kind in renderer.kinds {
                precondition(table[kind] == nil, "two outbound renderers for \(kind)")
                table[kind] = renderer
            }
        }
        byKind = table
    }

    public subscript(kind: OutgoingActivity.Kind) -> (any OutboundRenderer)? { byKind[kind] }

    /// The kinds rendered.
    public var kinds: Set<OutgoingActivity.Kind> { Set(byKind.keys) }

    /// Whether the activity is served at its id (its renderer decides; no renderer, no).
    public func isServable(_ record: OutgoingActivity) -> Bool {
        byKind[record.kind]?.isServable(record) ?? false
    }
}

/// What outbound renderers read from.
public struct OutboundContext: Sendable {
    public let accounts: any RemoteAccountRepository
    public let statuses: any StatusRepository
    public let queue: any ActivityQueueRepository
    public let node: NodeIdentity
    /// Publishes accounts' assertion keys (in a profile's Update).
    let keys: AssertionKeys?

    public init(
        accounts: any RemoteAccountRepository, statuses: any StatusRepository, queue: any ActivityQueueRepository, node: NodeIdentity,
        keys: AssertionKeys?
    ) {
        self.accounts = accounts
        self.statuses = statuses
        self.queue = queue
        self.node = node
        self.keys = keys
    }

    /// The accounts named in to/cc (remote ones known here), and whether the author's followers
    /// are addressed.
    func addressees(_ uris: [String], actor: Account) async throws -> ([Account], Bool) {
        var found: [Account] = []
        var followers = false
        for uri in Set(uris) {
            if ASPublic.isPublic(uri) { continue }
            if uri == (actor.followersURI ?? actor.uri + "/followers") {
                followers = true
            } else if let account = try await accounts.account(uri: uri) {
                found.append(account)
            }
        }
        return (found, followers)
    }
}

extension RenderedActivity {
    /// Goes to the accounts in the record's to/cc and, if addressed, the actor's followers.
    mutating func addressToRecord(in context: OutboundContext) async throws {
        (recipients, toFollowers) = try await context.addressees(record.to + record.cc, actor: actor)
    }
}
