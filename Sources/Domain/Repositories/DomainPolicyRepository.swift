import struct Foundation.Date

/// The federation policy stored by admins: allows, and blocks with their severity.
public protocol DomainPolicyRepository: Sendable {
    func domainAllows() async throws -> [DomainAllow]
    func domainBlocks() async throws -> [DomainBlock]
    /// Allows a domain (the existing allow when there is one) and records `audit` with it.
    func addAllow(domain: String, audit: AuditRecord) async throws -> DomainAllow
    /// Removes an allow, by id or domain; nil when there was none.
    func removeAllow(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainAllow?
    /// Inserts or replaces the block of `block.domain`. With `suspend`, everything stored of the
    /// domain goes in the same transaction: its accounts (so their posts, follows, likes and
    /// notifications), pending deliveries to it and unprocessed activities from it.
    func saveBlock(_ block: DomainBlock, audit: AuditRecord) async throws -> DomainBlock
    /// Removes a block, by id or domain; nil when there was none.
    func removeBlock(id: Int64?, domain: String?, audit: AuditRecord) async throws -> DomainBlock?
}
