import ActivityStreams
import Domain

/// `Flag`: a report from another node (Mastodon sends it from its instance actor). The object
/// lists the reported actor and posts; those of this node become a report for its moderators.
/// Ignored when a domain block says to reject the node's reports.
public struct FlagHandler: InboundHandler {
    public let types = ["Flag"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let id = activity.id, let domain = DomainPolicyService.domain(of: actor.uri), DomainPolicyService.domain(of: id) == domain else {
            return  // a Flag's id must be on its sender's node, so no node can claim another's
        }
        if try await context.policy.rejectsReports(domain: domain) { return }
        var target: Account?
        var reported: [Status] = []
        for uri in (activity.object?.listValue.compactMap(\.idValue) ?? []) where context.resolver.isLocal(uri) {
            if let account = try await context.localAccount(uri) {
                target = target ?? account
            } else if let status = try await context.statuses.status(uri: uri), status.local {
                reported.append(status)
                if target == nil { target = try await context.accounts.account(id: status.accountID) }
            }
        }
        guard let target else { return }
        let comment = HTMLSanitizer.plainText(activity.raw["content"]?.stringValue ?? "")
        _ = try await context.reports.createReport(
            Report(
                accountID: actor.id, targetAccountID: target.id, statusIDs: reported.filter { $0.accountID == target.id }.map(\.id),
                comment: String(comment.prefix(1000)), uri: id),
            publish: nil)
    }
}
