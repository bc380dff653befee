import ActivityStreams
import Crypto
import Domain
import Foundation

/// The JSON documents the audit log keeps as an action's before and after.
enum AuditDocument {
    static func encode(_ value: JSONValue?) -> String? {
        value.map { String(decoding: $0.serialized(), as: UTF8.self) }
    }

    /// A flat object of the values that are there.
    static func fields(_ value: [String: String?]) -> String? {
        encode(.object(value.compactMapValues { $0.map(JSONValue.string) }))
    }

    static func allow(_ allow: DomainAllow?) -> String? {
        encode(allow.map { ["id": .number(Double($0.id)), "domain": .string($0.domain), "createdAt": .string(ASDate.format($0.createdAt))] })
    }

    static func block(_ block: DomainBlock?) -> String? {
        encode(
            block.map {
                let fields: [String: JSONValue?] = [
                    "id": .number(Double($0.id)), "domain": .string($0.domain), "severity": .string($0.severity.rawValue),
                    "rejectMedia": .bool($0.rejectMedia), "rejectReports": .bool($0.rejectReports),
                    "privateComment": $0.privateComment.map(JSONValue.string), "publicComment": $0.publicComment.map(JSONValue.string),
                    "obfuscate": .bool($0.obfuscate), "createdAt": .string(ASDate.format($0.createdAt)),
                ]
                return .object(fields.compactMapValues { $0 })
            })
    }
}

extension Role {
    /// Moderators, admins and the owner: reports and account actions.
    public var isStaff: Bool { self != .user }
    /// Admins and the owner: federation policy, roles, settings, the audit log.
    public var isAdmin: Bool { self == .admin || self == .owner }
}

/// Admin actions on the federation: its policy, its deliveries, and the audit log. Each
/// change is written to the audit log in the same transaction as its effect, with the state
/// before and after, whether it came through the API or the command line.
public struct AdminService: Sendable {
    let policy: any DomainPolicyRepository
    let queue: any ActivityQueueRepository
    let audit: any AuditRepository
    /// Called after a change, so the node applies it at once (its policy cache is dropped).
    let changed: @Sendable () async -> Void

    public init(
        policy: any DomainPolicyRepository, queue: any ActivityQueueRepository, audit: any AuditRepository,
        changed: @escaping @Sendable () async -> Void
    ) {
        self.policy = policy
        self.queue = queue
        self.audit = audit
        self.changed = changed
    }

    /// A domain as stored: lower case, `host` or `host:port`, nothing else.
    public static func domain(_ raw: String) throws -> String {
        let domain = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-:[]_"))
        guard !domain.isEmpty, domain.count <= 253, domain.unicodeScalars.allSatisfy(allowed.contains), !domain.hasPrefix("."),
            !domain.hasSuffix(".")
        else {
            throw KithError(.invalidInput, "'\(raw)' is not a domain (give the host, with :port when not the default)")
        }
        return domain
    }

    /// Mastodon's `digest` of a blocked domain: SHA-256, hex.
    public static func digest(_ domain: String) -> String {
        Hex.lowercase(SHA256.hash(data: Array(domain.utf8)))
    }


    // MARK: Allows

    public func allow(_ raw: String, by actor: AuditActor) async throws -> DomainAllow {
        let domain = try Self.domain(raw)
        let allow = try await policy.addAllow(
            domain: domain,
            audit: AuditRecord(
                actor: actor, action: "domain_allow.create", targetType: "domain_allow", targetID: domain,
                after: AuditDocument.fields(["domain": domain])))
        await changed()
        return allow
    }

    /// Removes an allow by id or domain; 404 when there is none.
    public func removeAllow(id: Int64? = nil, domain raw: String? = nil, by actor: AuditActor) async throws -> DomainAllow {
        let domain = try raw.map(Self.domain)
        let existing = try await policy.domainAllows().first { $0.id == id || $0.domain == domain }
        guard
            let removed = try await policy.removeAllow(
                id: id, domain: domain,
                audit: AuditRecord(
                    actor: actor, action: "domain_allow.destroy", targetType: "domain_allow", targetID: domain ?? id.map(String.init) ?? "",
                    before: AuditDocument.allow(existing)))
        else { throw KithError(.notFound, "Record not found") }
        await changed()
        return removed
    }

    // MARK: Blocks

    /// Creates or replaces the block of `block.domain`; `suspend` removes what is stored of it.
    public func block(_ block: DomainBlock, by actor: AuditActor) async throws -> DomainBlock {
        var block = block
        block.domain = try Self.domain(block.domain)
        if let comment = block.privateComment, comment.count > 1000 { throw KithError(.invalidInput, "private_comment is longer than 1000 characters") }
        if let comment = block.publicComment, comment.count > 1000 { throw KithError(.invalidInput, "public_comment is longer than 1000 characters") }
        let existing = try await policy.domainBlocks().first { $0.domain == block.domain }
        let saved = try await policy.saveBlock(
            block,
            audit: AuditRecord(
                actor: actor, action: existing == nil ? "domain_block.create" : "domain_block.update", targetType: "domain_block",
                targetID: block.domain, before: AuditDocument.block(existing), after: AuditDocument.block(block)))
        await changed()
        return saved
    }

    public func removeBlock(id: Int64? = nil, domain raw: String? = nil, by actor: AuditActor) async throws -> DomainBlock {
        let domain = try raw.map(Self.domain)
        let existing = try await policy.domainBlocks().first { $0.id == id || $0.domain == domain }
        guard
            let removed = try await policy.removeBlock(
                id: id, domain: domain,
                audit: AuditRecord(
                    actor: actor, action: "domain_block.destroy", targetType: "domain_block", targetID: domain ?? id.map(String.init) ?? "",
                    before: AuditDocument.block(existing)))
        else { throw KithError(.notFound, "Record not found") }
        await changed()
        return removed
    }

    /// The nodes on the allow list.
    public func allowedNodes() async throws -> [DomainAllow] {
        try await policy.domainAllows()
    }

    /// The nodes on the block list, with their severities.
    public func blockedNodes() async throws -> [DomainBlock] {
        try await policy.domainBlocks()
    }

    // MARK: Deliveries

    /// Deliveries newest first: dead ones, those not delivered yet, or every one.
    public func deliveries(_ which: DeliveryListing, limit: Int) async throws -> [Delivery] {
        switch which {
        case .dead: return try await queue.deliveries(state: .dead, limit: limit)
        case .all: return try await queue.deliveries(state: nil, limit: limit)
        case .undelivered:
            // Most rows are delivered ones: read a few times the limit, keep the others.
            let found = try await queue.deliveries(state: nil, limit: limit * 4)
            return Array(found.filter { $0.state != .delivered }.prefix(limit))
        }
    }

    /// Makes a pending or dead delivery due now; 404 when there is none (or it was delivered).
    public func retryDelivery(id: Int64, by actor: AuditActor) async throws -> Delivery {
        guard
            let delivery = try await queue.retryDelivery(
                id: id, audit: AuditRecord(actor: actor, action: "delivery.retry", targetType: "delivery", targetID: String(id)))
        else { throw KithError(.notFound, "no pending or dead delivery \(id)") }
        return delivery
    }

    // MARK: Audit log

    /// The audit log, newest first.
    public func auditLog(_ filter: AuditFilter, page: PageRequest) async throws -> [AuditEntry] {
        try await audit.auditEntries(filter, page: page)
    }
}

/// Which deliveries `AdminService.deliveries` lists.
public enum DeliveryListing: Sendable {
    case dead, undelivered, all
}
