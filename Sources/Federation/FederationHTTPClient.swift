import ActivityStreams
import AsyncHTTPClient
import Domain
import Foundation
import HTTPSignatures
import Logging
import NIOCore
import NIOHTTP1

/// Outgoing HTTP to other nodes: signed GETs of documents and signed POSTs of activities,
/// with the limits a public server needs: http(s) only (plain http by setting), no private
/// addresses (by setting), a size cap, a deadline, and redirects followed by hand so each hop
/// is checked again.
public final class FederationHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        /// The URL that answered, after redirects.
        public var url: String
        public var headers: [(String, String)]
    }

    let client: HTTPClient
    let settings: FederationSettings
    let userAgent: String
    let logger: Logger

    public init(settings: FederationSettings, userAgent: String, logger: Logger) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(Int64(settings.requestTimeout.components.seconds))))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(settings.deliveryConcurrencyPerHost, 2)
        configuration.decompression = .enabled(limit: .size(settings.maxDocumentBytes))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.settings = settings
        self.userAgent = userAgent
        self.logger = logger
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Checks that `url` may be requested: scheme allowed, host public (or allowed).
    public func checkTarget(_ url: String) async throws -> URLComponents {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host,
            !host.isEmpty
        else {
            throw KithError(.invalidInput, "'\(url)' is not a valid URL")
        }
        switch scheme {
        case "https": break
        case "http" where settings.allowHTTP: break
        case "http": throw KithError(.forbidden, "plain http is not allowed for \(url); set federation.allow_http for labs and tests")
        default: throw KithError(.invalidInput, "only http(s) URLs can be fetched, not \(scheme)")
        }
        try await AddressGuard.check(host: host, allowPrivate: settings.allowPrivateAddresses)
        return components
    }

    /// GET `url` as ActivityStreams (or `accept`), signed by `key` when given (the application
    /// actor signs the node's fetches, for peers that require authorized fetch).
    public func get(_ url: String, accept: String = ActivityStreamsMediaType.activityJSON + ", " + ActivityStreamsMediaType.ldJSON, signedBy key: SigningKey?) async throws -> Response {
        var current = url
        for _ in 0...settings.maxRedirects {
            _ = try await checkTarget(current)
            var headers = HeaderFields([(name: "Accept", value: accept), (name: "User-Agent", value: userAgent)])
            if let key {
                headers = try RequestSigner.signCavage(SignableRequest(method: "GET", targetURI: current, headers: headers), key: key)
            }
            let response = try await send(method: .GET, url: current, headers: headers, body: nil)
            if (300..<400).contains(response.status), let location = response.headers.first(where: { $0.0.lowercased() == "location" })?.1 {
                guard let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString else {
                    throw KithError(.unavailable, "\(current) redirects to an invalid location")
                }
                current = next
                continue
            }
            return response
        }
        throw KithError(.unavailable, "\(url) redirects more than \(settings.maxRedirects) times")
    }

    /// POST a signed activity to an inbox; returns the status (redirects are not followed).
    public func post(_ url: String, body: [UInt8], signedBy key: SigningKey) async throws -> Response {
        _ = try await checkTarget(url)
        let headers = HeaderFields([
            (name: "Content-Type", value: ActivityStreamsMediaType.ldJSON), (name: "Accept", value: ActivityStreamsMediaType.activityJSON),
            (name: "User-Agent", value: userAgent),
        ])
        let signed = try RequestSigner.signCavage(SignableRequest(method: "POST", targetURI: url, headers: headers, body: body), key: key)
        return try await send(method: .POST, url: url, headers: signed, body: body)
    }

    func send(method: HTTPMethod, url: String, headers: HeaderFields, body: [UInt8]?) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for field in headers where field.name.lowercased() != "host" {
            request.headers.add(name: field.name, value: field.value)
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(
                request, timeout: .seconds(Int64(settings.requestTimeout.components.seconds)), logger: .current(or: logger))
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > settings.maxDocumentBytes {
                throw KithError(.unavailable, "\(url) answered with \(length) bytes, over the \(settings.maxDocumentBytes)-byte limit")
            }
            let bytes = try await response.body.collect(upTo: settings.maxDocumentBytes)
            return Response(
                status: Int(response.status.code), body: Array(bytes.readableBytesView), url: url,
                headers: response.headers.map { ($0.name, $0.value) })
        } catch let error as KithError {
            throw error
        } catch is NIOTooManyBytesError {
            throw KithError(.unavailable, "\(url) answered with more than \(settings.maxDocumentBytes) bytes")
        } catch {
            throw KithError(.unavailable, "request to \(url) failed", detail: "\(error)")
        }
    }
}
