import struct Foundation.Date

/// What a domain block does (Mastodon's severities). `suspend` refuses all federation with the
/// node and removes what is stored of it; `silence` keeps federating but keeps its posts out of
/// public timelines; `noop` only records the other options (media, reports).
public enum BlockSeverity: String, Sendable, CaseIterable, Codable {
    case silence, suspend, noop
}

/// A node allowed to federate (matters in allowlist mode).
public struct DomainAllow: Sendable, Equatable {
    public var id: Int64
    public var domain: String
    public var createdAt: Date

    public init(id: Int64, domain: String, createdAt: Date) {
        self.id = id
        self.domain = domain
        self.createdAt = createdAt
    }
}

/// A node blocked or limited, in Mastodon's shape.
public struct DomainBlock: Sendable, Equatable {
    public var id: Int64
    public var domain: String
    public var severity: BlockSeverity
    public var rejectMedia: Bool
    public var rejectReports: Bool
    /// Seen by this node's admins only.
    public var privateComment: String?
    /// Shown with the node's list of blocked domains.
    public var publicComment: String?
    public var obfuscate: Bool
    public var createdAt: Date

    public init(
        id: Int64 = 0, domain: String, severity: BlockSeverity = .suspend, rejectMedia: Bool = false, rejectReports: Bool = false,
        privateComment: String? = nil, publicComment: String? = nil, obfuscate: Bool = false, createdAt: Date = Date()
    ) {
        self.id = id
        self.domain = domain
        self.severity = severity
        self.rejectMedia = rejectMedia
        self.rejectReports = rejectReports
        self.privateComment = privateComment
        self.publicComment = publicComment
        self.obfuscate = obfuscate
        self.createdAt = createdAt
    }
}

/// Who performs an audited action: a local account (through the API) or a person at the
/// command line, and from which address.
public struct AuditActor: Sendable, Equatable {
    public var accountID: Int64?
    /// The account's username, or `cli:<system user>`.
    public var label: String
    public var address: String?

    public init(accountID: Int64?, label: String, address: String?) {
        self.accountID = accountID
        self.label = label
        self.address = address
    }
}

/// One action to record in the audit log, in the same transaction as the action itself.
/// `before` and `after` are JSON documents of the target's state, where that applies.
public struct AuditRecord: Sendable, Equatable {
    public var actor: AuditActor
    /// `domain_block.create`, `account.suspend`, `report.resolve`, …
    public var action: String
    public var targetType: String
    public var targetID: String
    public var before: String?
    public var after: String?

    public init(actor: AuditActor, action: String, targetType: String, targetID: String, before: String? = nil, after: String? = nil) {
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.before = before
        self.after = after
    }
}

/// A recorded audit entry.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var record: AuditRecord
    public var createdAt: Date

    public init(id: Int64, record: AuditRecord, createdAt: Date) {
        self.id = id
        self.record = record
        self.createdAt = createdAt
    }
}

/// Which audit entries to read; nil matches all.
public struct AuditFilter: Sendable, Equatable {
    public var actorAccountID: Int64?
    public var actorLabel: String?
    public var action: String?
    public var since: Date?
    public var until: Date?

    public init(actorAccountID: Int64? = nil, actorLabel: String? = nil, action: String? = nil, since: Date? = nil, until: Date? = nil) {
        self.actorAccountID = actorAccountID
        self.actorLabel = actorLabel
        self.action = action
        self.since = since
        self.until = until
    }
}

// MARK: - Reports and account actions
public enum ReportCategory: String, Sendable, CaseIterable {
    case spam, legal, violation, other
}

/// A report about an account (and some of its posts), from a local account or from another
/// node (a Flag, reported by that node's actor).
public struct Report: Sendable, Equatable {
    public var id: Int64
    public var accountID: Int64?
    public var targetAccountID: Int64
    public var statusIDs: [Int64]
    public var comment: String
    public var category: ReportCategory
    public var forwarded: Bool
    public var uri: String?
    public var assignedAccountID: Int64?
    public var actionTakenAt: Date?
    public var actionTakenByAccountID: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64 = 0, accountID: Int64?, targetAccountID: Int64, statusIDs: [Int64] = [], comment: String = "",
        category: ReportCategory = .other, forwarded: Bool = false, uri: String? = nil, assignedAccountID: Int64? = nil,
        actionTakenAt: Date? = nil, actionTakenByAccountID: Int64? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.accountID = accountID
        self.targetAccountID = targetAccountID
        self.statusIDs = statusIDs
        self.comment = comment
        self.category = category
        self.forwarded = forwarded
        self.uri = uri
        self.assignedAccountID = assignedAccountID
        self.actionTakenAt = actionTakenAt
        self.actionTakenByAccountID = actionTakenByAccountID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var resolved: Bool { actionTakenAt != nil }
}

/// What a moderator does to an account (Mastodon's admin actions and their reversals).
public enum AccountAction: String, Sendable, CaseIterable {
    case none, silence, suspend, disable, unsilence, unsuspend, enable
}
