import struct Foundation.Date

public protocol NotificationRepository: Sendable {
    /// Newest first; `types` keeps only those, `excludeTypes` drops those.
    func notifications(accountID: Int64, types: [String], excludeTypes: [String], page: PageRequest) async throws -> [Notification]
    func notification(id: Int64, accountID: Int64) async throws -> Notification?
    func clearNotifications(accountID: Int64) async throws
    func dismissNotification(id: Int64, accountID: Int64) async throws -> Bool
}
