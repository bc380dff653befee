import Foundation

/// Any JSON value. ActivityPub documents are JSON-LD that real servers shape freely (a field
/// may be a string, an object or an array of either), so Kith reads them as `JSONValue` and
/// picks fields out leniently instead of decoding into rigid structs.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON bytes. Throws `ActivityStreamsError` with a readable reason.
    public static func parse(_ bytes: some DataProtocol) throws -> JSONValue {
        let parsed: JSONValue?
        if let contiguous = bytes as? [UInt8] {
            parsed = contiguous.withUnsafeBufferPointer { try? JSONText.parse($0) }
        } else {
            parsed = Array(bytes).withUnsafeBufferPointer { try? JSONText.parse($0) }
        }
        guard let parsed else { throw ActivityStreamsError("the body is not valid JSON") }
        return parsed
    }

    /// Compact JSON with sorted keys (stable output for signatures and tests).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        JSONText.write(self, into: &out)
        return out
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value as a list: an array as is, `null` as empty, anything else as one element.
    public var listValue: [JSONValue] {
        switch self {
        case .array(let values): values
        case .null: []
        default: [self]
        }
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The id this value names: a string, or an object's `id` (or `href`, for Links).
    public var idValue: String? {
        switch self {
        case .string(let s): s.isEmpty ? nil : s
        case .object(let o): o["id"]?.stringValue ?? o["href"]?.stringValue
        default: nil
        }
    }

    /// Every id named by a string, an object, or an array of either.
    public var idList: [String] {
        listValue.compactMap(\.idValue)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// `.string(s)` or `.null` when nil.
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}

/// A document that cannot be understood as ActivityStreams.
public struct ActivityStreamsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
