import Domain
import Foundation
import Logging
import PostgresNIO

/// Allowed and blocked nodes, and purging what a blocked node left here.
public struct PostgresDomainPolicyRepository: DomainPolicyRepository, PostgresRepository {
    let base: PostgresBase

    init(base: PostgresBase) {
        self.base = base
    }

    static let blockColumns = "id, domain, severity, reject_media, reject_reports, private_comment, public_comment, obfuscate, created_at"

    static func decodeBlocks(_ rows: PostgresRowSequence) async throws -> [DomainBlock] {
        var result: [DomainBlock] = []
        for try await (id, domain, severity, media, reports, privateComment, publicComment, obfuscate, created) in rows.decode(
            (Int64, String, String, Bool, Bool, String?, String?, Bool, Date).self)
        {
            result.append(
                DomainBlock(
                    id: id, domain: domain, severity: BlockSeverity(rawValue: severity) ?? .suspend, rejectMedia: media, rejectReports: reports,
                    privateComment: privateComment, publicComment: publicComment, obfuscate: obfuscate, createdAt: created))
        }
        return result
    }

    static func decodeAllows(_ rows: PostgresRowSequence) async throws -> [DomainAllow] {
        var result: [DomainAllow] = []
        for try await (id, domain, created) in rows.decode((Int64, String, Date).self) {
            result.append(DomainAllow(id: id, domain: domain, createdAt: created))
        }
        return result
    }

    public func domainAllows() async throws -> [DomainAllow] {
        try await Self.decodeAllows(try await client.query("SELECT id, lower(domain), created_at FROM domain_allows ORDER BY lower(domain)", logger: logger))
    }

    public func domainBlocks() async throws -> [DomainBlock] {
        try await Self.decodeBlocks(
            try await client.query("SELECT \(unescaped: Self.blockColumns) FROM domain_blocks ORDER BY lower(domain)", logger: logger))
    }

    public func addAllow(domain: String, audit: AuditRecord) async throws -> DomainAllow {
        try await transaction { connection in
            let inserted = try await Self.decodeAllows(
                try await connection.query(
                    "INSERT INTO domain_allows (domain) VALUES (\(domain.lowercased())) ON CONFLICT DO NOTHING RETURNING id, domain, created_at",
                    logger: logger))
            if let allow = inserted.first {
                var record = audit
                record.targetID = String(allow.id)
                try await self.record(record, on: connection)
                return allow
            }
            let existing = try await Self.decodeAllows(
                try await connection.query(
                    "SELECT id, lower(domain), created_at FROM domain_allows WHERE lower(domain) = \(domain.lowercased())", logger: logger))
            guard let allow = existing.first else { throw KithError(.conflict, "the allow of \(domain) changed meanwhile; try again") }
            return allow
        }
    }

    public func removeAllow(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainAllow? {
        try await transaction { connection in
            let removed = try await Self.decodeAllows(
                try await connection.query(
                    """
                    DELETE FROM domain_allows WHERE id = \(id ?? -1) OR lower(domain) = \(domain?.lowercased() ?? "")
                    RETURNING id, lower(domain), created_at
                    """, logger: logger))
            guard let allow = removed.first else { return nil }
            var record = audit
            record.targetID = String(allow.id)
            try await self.record(record, on: connection)
            return allow
        }
    }

    public func saveBlock(_ block: DomainBlock, audit: AuditRecord) async throws -> DomainBlock {
        try await transaction { connection in
            let saved = try await Self.decodeBlocks(
                try await connection.query(
                    """
                    INSERT INTO domain_blocks (domain, severity, reject_media, reject_reports, private_comment, public_comment, obfuscate)
                    VALUES (\(block.domain.lowercased()), \(block.severity.rawValue), \(block.rejectMedia), \(block.rejectReports),
                        \(block.privateComment), \(block.publicComment), \(block.obfuscate))
                    ON CONFLICT (lower(domain)) DO UPDATE SET severity = excluded.severity, reject_media = excluded.reject_media,
                        reject_reports = excluded.reject_reports, private_comment = excluded.private_comment,
                        public_comment = excluded.public_comment, obfuscate = excluded.obfuscate
                    RETURNING \(unescaped: Self.blockColumns)
                    """, logger: logger))
            guard let stored = saved.first else { throw KithError(.internalError, "the block was not stored") }
            if stored.severity == .suspend { try await purge(domain: stored.domain, on: connection) }
            var record = audit
            record.targetID = String(stored.id)
            try await self.record(record, on: connection)
            return stored
        }
    }

    /// Removes what is stored of a suspended domain (and its subdomains).
    func purge(domain: String, on connection: PostgresConnection) async throws {
        let pattern = "%." + PostgresTimelineRepository.likePattern(domain)
        try await connection.query(
            "DELETE FROM accounts WHERE domain IS NOT NULL AND (lower(domain) = \(domain) OR lower(domain) LIKE \(pattern))", logger: logger)
        try await connection.query(
            """
            UPDATE deliveries SET state = 'dead', last_error = 'the domain is suspended', finished_at = now(), locked_until = NULL
            WHERE state = 'pending' AND (lower(host) = \(domain) OR lower(host) LIKE \(pattern))
            """, logger: logger)
        try await connection.query(
            """
            UPDATE inbox_items SET state = 'failed', last_error = 'the domain is suspended', locked_until = NULL
            WHERE state = 'pending' AND (lower(split_part(split_part(actor_uri, '://', 2), '/', 1)) = \(domain)
                OR lower(split_part(split_part(actor_uri, '://', 2), '/', 1)) LIKE \(pattern))
            """, logger: logger)
    }

    public func removeBlock(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainBlock? {
        try await transaction { connection in
            let removed = try await Self.decodeBlocks(
                try await connection.query(
                    """
                    DELETE FROM domain_blocks WHERE id = \(id ?? -1) OR lower(domain) = \(domain?.lowercased() ?? "")
                    RETURNING \(unescaped: Self.blockColumns)
                    """, logger: logger))
            guard let block = removed.first else { return nil }
            var record = audit
            record.targetID = String(block.id)
            try await self.record(record, on: connection)
            return block
        }
    }
}
