import ActivityStreams
import Domain
import Foundation
import Hummingbird

/// The one place errors become HTTP responses: `{"error": "..."}` with the right status.
/// Clients get a safe message; the full error goes to the log with the request id.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, message) = Self.map(error)
            if status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))", "status": "\(status.code)"])
            }
            return Self.response(status: status, message: message)
        }
    }

    /// Maps an error to a status and a client-safe message.
    public static func map(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as KithError:
            return (status(for: error.kind), error.message)
        case let error as HTTPError:
            return (error.status, error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            return (error.status, error.status.reasonPhrase)
        case is DecodingError:
            return (.badRequest, "the request body could not be decoded")
        default:
            return (.internalServerError, "internal server error")
        }
    }

    static func status(for kind: KithError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalidInput: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .unavailable: .serviceUnavailable
        case .tooLarge: .contentTooLarge
        case .unprocessable: .unprocessableContent
        case .rateLimited: .tooManyRequests
        default: .internalServerError
        }
    }

    public static func response(status: HTTPResponse.Status, message: String) -> Response {
        JSONBody.response(status: status, ["error": .string(message)])
    }
}

/// Small JSON responses, written by the one JSON writer.
public enum JSONBody {
    public static func response(status: HTTPResponse.Status, _ object: [String: JSONValue]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(object).serialized())))
    }
}
