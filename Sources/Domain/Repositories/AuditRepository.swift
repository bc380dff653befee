import struct Foundation.Date

/// The audit log: written only alongside the actions (each repository's audited methods), read here.
public protocol AuditRepository: Sendable {
    /// Entries matching `filter`, newest first, paged by id.
    func auditEntries(_ filter: AuditFilter, page: PageRequest) async throws -> [AuditEntry]
}
