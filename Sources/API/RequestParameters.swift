import ActivityStreams
import Domain
import Foundation
import Hummingbird

/// Parameters as Mastodon accepts them: in the query, a form body or a JSON body, with
/// `name[]` for arrays. Later sources override earlier ones.
struct RequestParameters: Sendable {
    var values: [String: [String]] = [:]

    subscript(name: String) -> String? {
        values[name]?.first
    }

    func list(_ name: String) -> [String] {
        values[name] ?? []
    }

    /// A boolean parameter as Rails (so Mastodon) reads it; nil when absent.
    func flag(_ name: String) -> Bool? {
        self[name].map(Self.truthy)
    }

    /// "", "0", "f", "false", "off", "n", "no" (any case) are false, anything else true: clients
    /// send `true`, `1` or `True`. Absent is false.
    static func truthy<S: StringProtocol>(_ value: S?) -> Bool {
        guard let value else { return false }
        return !["", "0", "f", "false", "off", "n", "no"].contains(value.lowercased())
    }

    /// The first value of each parameter.
    var single: [String: String] { values.compactMapValues(\.first) }

    static func parse(_ request: Request, maxBytes: Int = 64 * 1024) async throws -> RequestParameters {
        var parameters = RequestParameters()
        for (name, value) in request.uri.queryParameters {
            parameters.add(String(name).removingPercentEncoding ?? String(name), String(value).removingPercentEncoding ?? String(value))
        }
        guard request.method == .post || request.method == .put || request.method == .patch else { return parameters }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw KithError(.tooLarge, "the request body is larger than \(maxBytes) bytes")
        }
        guard body.readableBytes > 0 else { return parameters }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            guard case .object(let object) = try? JSONValue.parse(body.readableBytesView) else {
                throw KithError(.invalidInput, "the JSON body must be an object")
            }
            for (name, value) in object { parameters.add(json: value, as: name) }
        } else {
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                guard let name = parts.first, !name.isEmpty else { continue }
                parameters.add(name, parts.count > 1 ? parts[1] : "")
            }
        }
        return parameters
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n ? String(Int64(n)) : String(n)
        default: String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    /// A JSON member: arrays of scalars as repeated values; objects (and arrays of objects)
    /// flattened to the bracket names a form would use, `fields_attributes[0][name]`.
    mutating func add(json value: JSONValue, as name: String, depth: Int = 0) {
        guard depth < 4 else { return }
        switch value {
        case .null: break
        case .object(let members):
            for (key, member) in members { add(json: member, as: "\(name)[\(key)]", depth: depth + 1) }
        case .array(let items) where items.contains(where: { $0.objectValue != nil }):
            for (index, item) in items.enumerated() { add(json: item, as: "\(name)[\(index)]", depth: depth + 1) }
        case .array(let items):
            for item in items { add(name, Self.text(item)) }
        default: add(name, Self.text(value))
        }
    }

    mutating func add(_ rawName: String, _ value: String) {
        let name = rawName.hasSuffix("[]") ? String(rawName.dropLast(2)) : rawName
        if rawName.hasSuffix("[]") || values[name] == nil {
            values[name, default: []].append(value)
        } else {
            values[name] = [value]
        }
    }
}
