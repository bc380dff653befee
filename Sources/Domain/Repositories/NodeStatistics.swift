/// Counts for NodeInfo.
public protocol NodeStatistics: Sendable {
    func usage() async throws -> NodeUsage
}
