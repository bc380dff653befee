import ActivityStreams
import Domain

/// `Create` of a post (embedded, or named by id and fetched) by its author, on the author's
/// own node; a missing parent is fetched so the thread holds together.
public struct CreateHandler: InboundHandler {
    public let types = ["Create"]

    public init() {}

    public func handle(_ activity: ASActivity, from actor: Account, in context: InboundContext) async throws {
        guard let object = activity.object else { return }
        var json = object
        if object.objectValue == nil {
            guard let id = object.idValue else { return }
            json = try await context.resolver.object(uri: id)
        }
        guard ASObject.types(of: json).contains(where: ASPost.postTypes.contains) else { return }
        let post: ASPost
        do {
            post = try ASPost(json)
        } catch {
            throw KithError(.invalidInput, "the created object cannot be read: \(error)")
        }
        // Only the author's own node speaks for the author's posts.
        guard post.attributedTo == actor.uri, DomainPolicyService.domain(of: post.id) == DomainPolicyService.domain(of: actor.uri) else {
            throw KithError(.invalidInput, "\(actor.uri) cannot create \(post.id), attributed to \(post.attributedTo)")
        }
        _ = try await context.posts.store(post, author: actor)
    }
}
