import ActivityStreams
import Domain

/// `Follow` of a local account: accepted at once, held for approval (a locked account, a
/// closed group), or refused (a block, a secret group without an invitation).
public struct FollowHandler: InboundHandler {
    public let types = ["Follow"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let target = try await context.localAccount(activity.objectId), let followID = activity.id else { return }
        // A group admits by its privacy: open at once, closed on approval, secret by invitation.
        let groupAdmission = try await context.admission?.admission(target: target, applicant: actor)
        if try await context.graph.isBlocking(accountID: target.id, targetAccountID: actor.id) || groupAdmission == .some(nil) {
            try await context.publish(
                OutgoingActivity(
                    uri: context.answerID(target, "rejects", to: followID), accountID: target.id, kind: .reject, targetAccountID: actor.id,
                    relatedURI: followID, relatedActorURI: actor.uri, to: [actor.uri]))
            return
        }
        let existing = try await context.graph.findFollow(accountID: actor.id, targetAccountID: target.id)
        var state: FollowState = (target.locked && existing?.state != .accepted) ? .pending : .accepted
        if case .some(.some(let admitted)) = groupAdmission, existing?.state != .accepted { state = admitted }
        let accept =
            state == .accepted
            ? OutgoingActivity(
                uri: context.answerID(target, "accepts", to: followID), accountID: target.id, kind: .accept, targetAccountID: actor.id,
                relatedURI: followID, relatedActorURI: actor.uri, to: [actor.uri]) : nil
        _ = try await context.graph.upsertFollow(accountID: actor.id, targetAccountID: target.id, uri: followID, state: state, publish: accept)
        if accept != nil { await context.deliveryRecorded() }
    }
}
