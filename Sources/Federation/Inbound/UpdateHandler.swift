import ActivityStreams
import Domain
import Foundation

/// `Update` of the actor's own profile, or of one of its posts (an edit).
public struct UpdateHandler: InboundHandler {
    public let types = ["Update"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let object = activity.object, object.objectValue != nil else { return }
        let types = ASObject.types(of: object)
        if types.contains(where: ASActor.actorTypes.contains) {
            guard object["id"]?.stringValue == actor.uri else { return }
            _ = try await context.resolver.store(object, fetchedFrom: actor.uri)
        } else if types.contains(where: ASPost.postTypes.contains) {
            let post = try ASPost(object)
            guard post.attributedTo == actor.uri, var status = try await context.statuses.status(uri: post.id), status.accountID == actor.id
            else { return }
            status.content = HTMLSanitizer.sanitize(post.content)
            status.spoilerText = post.summary.map(HTMLSanitizer.plainText) ?? ""
            status.sensitive = post.sensitive
            status.title = post.name.map(HTMLSanitizer.plainText)
            status.editedAt = post.updated ?? Date()
            status.mentions = post.mentions.map { Mention(uri: $0.href, name: $0.name) }
            status.tags = post.hashtags
            try await context.statuses.update(status, publish: nil)
        }
    }
}
