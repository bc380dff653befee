import ActivityStreams
import Core
import Domain
import Foundation
import Hummingbird

/// Paging (Mastodon's `max_id`/`since_id`/`min_id`/`limit` and `Link` header), path ids and validation errors.
extension MastodonAPI {
    /// `local=true`: only this node's posts; `remote=true`: only other nodes'; else both (nil).
    static func localOnly(_ request: Request) -> Bool? {
        let query = request.uri.queryParameters
        if RequestParameters.truthy(query["local"]) { return true }
        return RequestParameters.truthy(query["remote"]) ? false : nil
    }

    static func page(_ request: Request) throws -> PageRequest {
        let query = request.uri.queryParameters
        func id(_ name: String) throws -> Int64? {
            guard let raw = query[Substring(name)], !raw.isEmpty else { return nil }
            guard let value = Int64(String(raw)) else { throw KithError(.invalidInput, "\(name) must be an id") }
            return value
        }
        var limit = 20
        if let raw = query["limit"] {
            guard let value = Int(String(raw)) else { throw KithError(.invalidInput, "limit must be a number") }
            limit = max(1, min(value, 40))
        }
        return PageRequest(maxID: try id("max_id"), sinceID: try id("since_id"), minID: try id("min_id"), limit: limit)
    }

    /// Mastodon's `Link` header for a page whose items' paging ids run from `first` (newest) to
    /// `last`: `next` goes older, `prev` newer; the request's `limit` is kept.
    func link(_ request: Request, first: Int64?, last: Int64?) -> HTTPFields {
        Self.link(request, baseURL: d.node.baseURL, first: first, last: last)
    }

    static func link(_ request: Request, baseURL: String, first: Int64?, last: Int64?) -> HTTPFields {
        var headers = HTTPFields()
        if let first, let last {
            let path = baseURL + request.uri.path
            let limit = request.uri.queryParameters["limit"].map { "&limit=\($0)" } ?? ""
            headers[.init("Link")!] = "<\(path)?max_id=\(last)\(limit)>; rel=\"next\", <\(path)?min_id=\(first)\(limit)>; rel=\"prev\""
        }
        return headers
    }

    /// A numeric path parameter (`id` unless named); 404 when it is not a number.
    static func pathID(_ context: AppRequestContext, _ name: String = "id") throws -> Int64 {
        guard let id = Int64(try context.parameters.require(name)) else { throw KithError(.notFound, "Record not found") }
        return id
    }

    /// Runs `body`, reporting its input errors as Mastodon does: 422 "Validation failed: …".
    static func validated<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as KithError where error.kind == .invalidInput {
            throw KithError(.unprocessable, "Validation failed: \(error.message)")
        }
    }
}
