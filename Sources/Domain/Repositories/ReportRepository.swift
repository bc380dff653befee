import struct Foundation.Date

public protocol ReportRepository: Sendable {
    /// Stores a report (once per `uri` for Flags: a repeat returns the first) and records
    /// `publish` (the Flag sent on) with it.
    func createReport(_ report: Report, publish: OutgoingActivity?) async throws -> Report
    func report(id: Int64) async throws -> Report?
    /// Reports newest first; `resolved` nil for all.
    func reports(resolved: Bool?, targetAccountID: Int64?, page: PageRequest) async throws -> [Report]
    /// Assigns (or, with nil, unassigns) a moderator; audited.
    func assignReport(id: Int64, to accountID: Int64?, audit: AuditRecord) async throws -> Report?
    /// Marks resolved by `accountID` (or reopens with nil); audited.
    func resolveReport(id: Int64, by accountID: Int64?, audit: AuditRecord) async throws -> Report?
}
