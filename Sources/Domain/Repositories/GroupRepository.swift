import struct Foundation.Date

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
