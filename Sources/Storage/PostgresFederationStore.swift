import Logging
import PostgresNIO

/// The federation repositories over one PostgreSQL database, one per protocol, built together:
/// remote accounts, the social graph, posts, timelines, notifications, the inbox and delivery
/// queues, domain policy and its audit, reports and account moderation, groups, assertion keys.
public struct PostgresFederationStore: Sendable {
    public let accounts: PostgresRemoteAccountRepository
    public let graph: PostgresSocialGraphRepository
    public let statuses: PostgresStatusRepository
    public let timelines: PostgresTimelineRepository
    public let notifications: PostgresNotificationRepository
    public let queue: PostgresQueueRepository
    public let domainPolicy: PostgresDomainPolicyRepository
    public let audit: PostgresAuditRepository
    public let reports: PostgresReportRepository
    public let moderation: PostgresAccountModerationRepository
    public let groups: PostgresGroupRepository
    public let assertionKeys: PostgresAssertionKeyRepository

    public init(client: PostgresClient, logger: Logger, baseURL: String) {
        let base = PostgresBase(client: client, logger: logger, baseURL: baseURL)
        accounts = .init(base: base)
        graph = .init(base: base)
        statuses = .init(base: base)
        timelines = .init(base: base)
        notifications = .init(base: base)
        queue = .init(base: base)
        domainPolicy = .init(base: base)
        audit = .init(base: base)
        reports = .init(base: base)
        moderation = .init(base: base)
        groups = .init(base: base)
        assertionKeys = .init(base: base)
    }
}
