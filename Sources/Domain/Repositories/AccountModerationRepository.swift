import struct Foundation.Date

public protocol AccountModerationRepository: Sendable {
    /// Applies a moderation action to an account (and resolves `reportID` when given); audited.
    func moderate(accountID: Int64, action: AccountAction, reportID: Int64?, by moderatorID: Int64?, audit: AuditRecord) async throws -> Account?
    /// Changes a local account's role; audited.
    func setRole(accountID: Int64, role: Role, audit: AuditRecord) async throws -> Account?
    /// Accounts for the admin API, newest first: `local` nil for all; `status` one of
    /// active, suspended, silenced, disabled (nil for all).
    func adminAccounts(local: Bool?, status: String?, username: String?, page: PageRequest) async throws -> [Account]
    /// Removes a post as moderation (a tombstone keeps it from coming back); audited.
    func removeStatus(id: Int64, publish: OutgoingActivity?, audit: AuditRecord) async throws -> Bool
}
