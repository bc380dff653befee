import struct Foundation.Date

/// Who may see and join a group. `open`: anyone on an allowed node joins at once; `closed`:
/// listed, but the group's moderators approve each join; `secret`: not listed, not found by
/// WebFinger or search by non-members, joined by invitation only.
public enum GroupPrivacy: String, Sendable, CaseIterable, Codable {
    case open, closed, secret
}

/// A member's standing in a group.
public enum GroupRole: String, Sendable, CaseIterable, Codable, Comparable {
    case member, moderator, owner

    public var canModerate: Bool { self != .member }

    public static func < (lhs: GroupRole, rhs: GroupRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A group hosted on this node: a local actor of type Group.
public struct Group: Sendable, Equatable {
    public var account: Account
    public var privacy: GroupPrivacy
    public var createdAt: Date

    public init(account: Account, privacy: GroupPrivacy, createdAt: Date) {
        self.account = account
        self.privacy = privacy
        self.createdAt = createdAt
    }
}

/// What creating a group needs.
public struct NewGroup: Sendable {
    public var name: Username
    public var displayName: String
    public var note: String
    public var privacy: GroupPrivacy
    public var publicKeyPEM: String
    public var privateKeyPEM: String
    public var baseURL: String

    public init(
        name: Username, displayName: String, note: String, privacy: GroupPrivacy, publicKeyPEM: String, privateKeyPEM: String, baseURL: String
    ) {
        self.name = name
        self.displayName = displayName
        self.note = note
        self.privacy = privacy
        self.publicKeyPEM = publicKeyPEM
        self.privateKeyPEM = privateKeyPEM
        self.baseURL = baseURL
    }
}

public protocol GroupRepository: Sendable {
    /// Creates the group's actor, makes `ownerID` its owner and first member; audited.
    func createGroup(_ new: NewGroup, ownerID: Int64, audit: AuditRecord) async throws -> Group
    func group(accountID: Int64) async throws -> Group?
    /// Groups on this node that `viewerID` may see: open and closed ones, and secret ones it
    /// belongs to or is invited to.
    func groups(visibleTo viewerID: Int64?, viewerURI: String?) async throws -> [Group]
    /// The account's role: owner or moderator, member (an accepted follower), or nil.
    func role(groupID: Int64, accountID: Int64) async throws -> GroupRole?
    /// Sets (or, for `member`, clears) an owner or moderator role; audited.
    func setRole(groupID: Int64, accountID: Int64, role: GroupRole, audit: AuditRecord) async throws
    /// Changes name, description or privacy (privacy also sets locked and discoverable); audited.
    func updateGroup(groupID: Int64, displayName: String?, note: String?, privacy: GroupPrivacy?, publish: OutgoingActivity, audit: AuditRecord) async throws -> Group
    func invite(groupID: Int64, accountURI: String, by inviterID: Int64, audit: AuditRecord) async throws
    func isInvited(groupID: Int64, accountURI: String) async throws -> Bool
    /// Members (accepted followers) with their roles, newest first, paged by the follow's id.
    func members(groupID: Int64, page: PageRequest) async throws -> [(entryID: Int64, account: Account, role: GroupRole)]
    /// Whether `signer` may read a secret group's documents: a member itself, or, when it is a
    /// node's application actor (which signs that node's fetches), a node with a member.
    func mayRead(groupID: Int64, signer: Account) async throws -> Bool

    /// Accepts a pending join request; records `publish` (the Accept to a remote member) and `audit`.
    func approveMember(groupID: Int64, accountID: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool

    /// Ends a membership (or refuses a request), with its role and invitation; records `publish`
    /// (the Reject sent to a remote member) and `audit` in the same transaction.
    func removeMember(groupID: Int64, accountID: Int64, publish: OutgoingActivity?, audit: AuditRecord?) async throws -> Bool
    /// Takes a post out of the group: deletes the group's boost of it and records `publish`
    /// (the Undo of the Announce) and `audit`.
    func removeFromGroup(groupID: Int64, statusID: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool
}
