import struct Foundation.Date

/// Something whose health `/health` reports, such as the database.
public protocol HealthCheck: Sendable {
    /// Returns when healthy; throws an error describing the problem otherwise.
    func check() async throws
}
