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
