import Domain
import Foundation

/// Groups (FEP-1b12): creating and editing them, joining and leaving, requests and invitations,
/// roles, and moderation; and the group's part in federation, Announcing its members' posts to
/// all members on every node. Moderation is audited.
public struct GroupService: Sendable {
    let groups: any GroupRepository
    let accounts: any RemoteAccountRepository
    let graph: any SocialGraphRepository
    let statuses: any StatusRepository
    let directory: any ActorDirectory
    let keys: any ActorKeyGenerator
    let notifier: (any DeliveryNotifier)?
    let baseURL: String

    public init(
        groups: any GroupRepository, accounts: any RemoteAccountRepository, graph: any SocialGraphRepository, statuses: any StatusRepository,
        directory: any ActorDirectory, keys: any ActorKeyGenerator, notifier: (any DeliveryNotifier)?, baseURL: String
    ) {
        self.groups = groups
        self.accounts = accounts
        self.graph = graph
        self.statuses = statuses
        self.directory = directory
        self.keys = keys
        self.notifier = notifier
        self.baseURL = baseURL
    }

    static let publicAddress = "https://www.w3.org/ns/activitystreams#Public"

    func followers(_ group: Account) -> String { group.followersURI ?? group.uri + "/followers" }

    /// The group, if `viewer` may see it (secret groups: members and invitees only); 404 otherwise.
    public func visibleGroup(_ id: Int64, to viewer: Account?) async throws -> Group {
        guard let group = try await groups.group(accountID: id) else { throw KithError(.notFound, "Record not found") }
        if group.privacy == .secret {
            guard let viewer else { throw KithError(.notFound, "Record not found") }
            let member = try await groups.role(groupID: id, accountID: viewer.id) != nil
            let invited = try await groups.isInvited(groupID: id, accountURI: viewer.uri)
            guard member || invited else { throw KithError(.notFound, "Record not found") }
        }
        return group
    }

    /// The group if `actor` moderates it (owner or moderator); 403 otherwise.
    func moderated(_ id: Int64, by actor: Account, ownerOnly: Bool = false) async throws -> Group {
        let group = try await visibleGroup(id, to: actor)
        let role = try await groups.role(groupID: id, accountID: actor.id)
        guard let role, ownerOnly ? role == .owner : role.canModerate else {
            throw KithError(.forbidden, "Only the group's \(ownerOnly ? "owners" : "moderators") may do this")
        }
        return group
    }

    static func audit(_ actor: AuditActor, _ action: String, group: Int64, before: [String: String?]? = nil, after: [String: String?]? = nil)
        -> AuditRecord
    {
        AuditRecord(
            actor: actor, action: "group.\(action)", targetType: "group", targetID: String(group), before: before.flatMap(AuditDocument.fields),
            after: after.flatMap(AuditDocument.fields))
    }

    // MARK: Groups

    public func create(
        by owner: Account, name: String, displayName: String, note: String, privacy: GroupPrivacy, actor: AuditActor
    ) async throws -> Group {
        guard owner.isLocal else { throw KithError(.forbidden, "only local accounts create groups") }
        let username = try Username(name)
        guard displayName.count <= 100 else { throw KithError(.invalidInput, "the display name is longer than 100 characters") }
        guard note.count <= 5000 else { throw KithError(.invalidInput, "the description is longer than 5000 characters") }
        let pair = try await keys.makeKeyPair()
        return try await groups.createGroup(
            NewGroup(
                name: username, displayName: displayName.isEmpty ? username.value : displayName, note: note, privacy: privacy,
                publicKeyPEM: pair.publicKeyPEM, privateKeyPEM: pair.privateKeyPEM, baseURL: baseURL),
            ownerID: owner.id,
            audit: Self.audit(actor, "create", group: 0, after: ["name": username.value, "privacy": privacy.rawValue]))
    }

    /// Edits name, description or privacy; members on other nodes get the Update.
    public func update(
        _ id: Int64, by editor: Account, displayName: String?, note: String?, privacy: GroupPrivacy?, actor: AuditActor
    ) async throws -> Group {
        let group = try await moderated(id, by: editor)
        let account = group.account
        // A secret group's profile goes to its members only.
        let secret = (privacy ?? group.privacy) == .secret
        let updated = try await groups.updateGroup(
            groupID: id, displayName: displayName, note: note, privacy: privacy,
            publish: OutgoingActivity(
                accountID: id, kind: .update, objectURI: account.uri, to: secret ? [followers(account)] : [Self.publicAddress],
                cc: secret ? [] : [followers(account)]),
            audit: Self.audit(
                actor, "update", group: id, before: ["display_name": account.displayName, "privacy": group.privacy.rawValue],
                after: ["display_name": displayName ?? account.displayName, "privacy": (privacy ?? group.privacy).rawValue]))
        await notifier?.activityRecorded()
        return updated
    }

    // MARK: Membership

    /// Whether `applicant` (local or remote) is let in at once (accepted), asked to wait for the
    /// moderators (pending), or refused (nil).
    public func admission(_ group: Group, applicant: Account) async throws -> FollowState? {
        if try await groups.role(groupID: group.account.id, accountID: applicant.id) != nil { return .accepted }
        let invited = try await groups.isInvited(groupID: group.account.id, accountURI: applicant.uri)
        switch group.privacy {
        case .open: return .accepted
        case .closed: return invited ? .accepted : .pending
        case .secret: return invited ? .accepted : nil
        }
    }

    public func leave(_ id: Int64, account: Account) async throws {
        _ = try await groups.group(accountID: id).orThrow(KithError(.notFound, "Record not found"))
        if try await groups.role(groupID: id, accountID: account.id) == .owner {
            throw KithError(.invalidInput, "the owner cannot leave the group")
        }
        _ = try await groups.removeMember(groupID: id, accountID: account.id, publish: nil, audit: nil)
    }

    public func approve(_ id: Int64, accountID: Int64, by moderator: Account, actor: AuditActor) async throws {
        let group = try await moderated(id, by: moderator)
        guard let applicant = try await accounts.account(id: accountID) else { throw KithError(.notFound, "Record not found") }
        let follow = try await graph.findFollow(accountID: accountID, targetAccountID: id)
        let accept: OutgoingActivity? =
            applicant.isLocal
            ? nil
            : OutgoingActivity(
                accountID: id, kind: .accept, targetAccountID: accountID, relatedURI: follow?.uri, relatedActorURI: applicant.uri,
                to: [applicant.uri])
        guard
            try await groups.approveMember(
                groupID: id, accountID: accountID, publish: accept,
                audit: Self.audit(actor, "approve_member", group: group.account.id, after: ["account": applicant.uri]))
        else { throw KithError(.notFound, "no pending request from account \(accountID)") }
        if accept != nil { await notifier?.activityRecorded() }
    }

    /// Refuses a request or removes a member; a remote one is sent Reject (so its node ends the follow).
    public func remove(_ id: Int64, accountID: Int64, by moderator: Account, actor: AuditActor, request: Bool) async throws {
        let group = try await moderated(id, by: moderator)
        guard let member = try await accounts.account(id: accountID) else { throw KithError(.notFound, "Record not found") }
        let role = try await groups.role(groupID: id, accountID: accountID)
        guard role != .owner else { throw KithError(.forbidden, "The group's owner cannot be removed") }
        if role == .moderator, try await groups.role(groupID: id, accountID: moderator.id) != .owner {
            throw KithError(.forbidden, "Only owners remove moderators")
        }
        let reject: OutgoingActivity? =
            member.isLocal ? nil : OutgoingActivity(accountID: id, kind: .reject, targetAccountID: accountID, relatedActorURI: member.uri, to: [member.uri])
        guard
            try await groups.removeMember(
                groupID: id, accountID: accountID, publish: reject,
                audit: Self.audit(actor, request ? "reject_member" : "remove_member", group: group.account.id, before: ["account": member.uri]))
        else { throw KithError(.notFound, "Record not found") }
        if reject != nil { await notifier?.activityRecorded() }
    }

    /// Invites an account (local or remote, by `user@domain`, URL or id) to join.
    public func invite(_ id: Int64, reference: String, by moderator: Account, actor: AuditActor) async throws -> Account {
        let group = try await moderated(id, by: moderator)
        let invitee: Account
        if let numeric = Int64(reference), let found = try await accounts.account(id: numeric) {
            invitee = found
        } else {
            invitee = try await directory.resolve(reference)
        }
        try await groups.invite(
            groupID: id, accountURI: invitee.uri, by: moderator.id,
            audit: Self.audit(actor, "invite", group: group.account.id, after: ["account": invitee.uri]))
        return invitee
    }

    /// Makes a member a moderator, or a moderator a member again (owners only).
    public func setRole(_ id: Int64, accountID: Int64, role: GroupRole, by owner: Account, actor: AuditActor) async throws {
        let group = try await moderated(id, by: owner, ownerOnly: true)
        guard role != .owner else { throw KithError(.invalidInput, "a group has one owner") }
        guard let current = try await groups.role(groupID: id, accountID: accountID), current != .owner else {
            throw KithError(.notFound, "not a member of the group")
        }
        try await groups.setRole(
            groupID: id, accountID: accountID, role: role,
            audit: Self.audit(
                actor, "set_role", group: group.account.id, before: ["account_id": String(accountID), "role": current.rawValue],
                after: ["account_id": String(accountID), "role": role.rawValue]))
    }

    // MARK: Posts

    /// Takes a post out of the group: the group's Announce of it is undone for every member.
    public func removePost(_ id: Int64, statusID: Int64, by moderator: Account, actor: AuditActor) async throws {
        let group = try await moderated(id, by: moderator)
        guard let reblog = try await statuses.reblog(accountID: id, of: statusID) else { throw KithError(.notFound, "Record not found") }
        let original = try await statuses.status(id: statusID)
        let undo = OutgoingActivity(
            accountID: id, kind: .undo, objectURI: original?.uri, targetAccountID: original?.accountID, relatedURI: reblog.uri,
            relatedActorURI: "Announce", to: reblog.to, cc: reblog.cc, deliver: !reblog.localOnly)
        guard
            try await groups.removeFromGroup(
                groupID: id, statusID: statusID, publish: undo,
                audit: Self.audit(actor, "remove_post", group: group.account.id, before: ["status": original?.uri]))
        else { throw KithError(.notFound, "Record not found") }
        await notifier?.activityRecorded()
    }

    /// Pins a post of the group to its featured collection (moderators).
    public func pin(_ id: Int64, statusID: Int64, by moderator: Account, actor: AuditActor, pinned: Bool) async throws {
        let group = try await moderated(id, by: moderator)
        guard let status = try await statuses.status(id: statusID), try await statuses.reblog(accountID: id, of: statusID) != nil else {
            throw KithError(.notFound, "the post is not in the group")
        }
        let account = group.account
        let activity = OutgoingActivity(
            accountID: id, kind: pinned ? .add : .remove, objectURI: status.uri, statusID: status.id,
            relatedURI: account.featuredURI ?? account.uri + "/collections/featured", to: [followers(account)],
            deliver: !status.localOnly)
        let changed =
            pinned
            ? try await statuses.pin(accountID: id, statusID: status.id, publish: activity)
            : try await statuses.unpin(accountID: id, statusID: status.id, publish: activity)
        if changed { await notifier?.activityRecorded() }
    }

    /// Called for each new post (local or from another node): when it is addressed to (or
    /// mentions) a group of this node and its author is a member, the group Announces it to all
    /// members. Posts of non-members are left alone.
    public func distribute(_ status: Status) async throws {
        guard status.reblogOfID == nil else { return }
        let everyone = Set(status.to + status.cc + status.mentions.map(\.uri))
        // A direct message goes to a group only when it is addressed to that group alone (a DM
        // to a friend that names a group is not for the whole group).
        if status.visibility == .direct, everyone.count != 1 { return }
        // Local actors only: this node's followers collections (addressed by every public post)
        // are not worth a lookup.
        let addressed = everyone.filter { $0.hasPrefix(baseURL + "/") && !$0.hasSuffix("/followers") }
        for uri in addressed.sorted() {
            guard let account = try await accounts.account(uri: uri), account.actorType == "Group", account.isLocal,
                let group = try await groups.group(accountID: account.id),
                try await groups.role(groupID: account.id, accountID: status.accountID) != nil,
                try await statuses.reblog(accountID: account.id, of: status.id) == nil
            else { continue }
            let id = try await statuses.nextID()
            let reblogURI = "\(account.uri)/statuses/\(id)/activity"
            let open = group.privacy == .open && (status.visibility == .public || status.visibility == .unlisted)
            let to = open ? [Self.publicAddress] : [followers(account)]
            let cc = open ? [followers(account)] : []
            let reblog = Status(
                id: id, uri: reblogURI, accountID: account.id, local: true, objectType: "Announce", reblogOfID: status.id, content: "",
                visibility: open ? .public : .private, to: to, cc: cc, localOnly: status.localOnly)
            _ = try await statuses.insert(
                reblog,
                publish: OutgoingActivity(
                    uri: reblogURI, accountID: account.id, kind: .announce, objectURI: status.uri, statusID: id, to: to, cc: cc,
                    deliver: !status.localOnly))
            await notifier?.activityRecorded()
        }
    }
}

extension GroupService: FollowAdmission {
    public func admission(target: Account, applicant: Account) async throws -> FollowState?? {
        guard target.actorType == "Group", target.isLocal, let group = try await groups.group(accountID: target.id) else { return .none }
        return .some(try await admission(group, applicant: applicant))
    }
}

extension GroupService: PostListener {
    public func posted(_ status: Status) async throws {
        try await distribute(status)
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
