import ActivityStreams
import Hummingbird

/// Responses carrying JSON documents, in the media type the peer asked for.
enum DocumentResponse {
    static func json(_ value: JSONValue, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        let writable: any JSONWritable = value
        return json(writable, contentType: contentType, status: status)
    }

    /// A typed entity (or any value that writes itself) as JSON.
    static func json(_ value: some JSONWritable, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.serialize(value))))
    }

    /// An ActivityStreams document: `application/ld+json; profile=…` when the request's Accept
    /// names that form, `application/activity+json` otherwise. `Vary: Accept` so caches keep both.
    static func activityStreams(_ value: JSONValue, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let accept = request.headers[.accept] ?? ""
        let wantsLD = accept.split(separator: ",").contains { entry in
            entry.lowercased().contains("application/ld+json") && ActivityStreamsMediaType.matches(String(entry))
        }
        var response = json(value, contentType: wantsLD ? ActivityStreamsMediaType.ldJSON : ActivityStreamsMediaType.activityJSON, status: status)
        response.headers[.vary] = "Accept"
        return response
    }
}
