/// A value that writes itself as JSON through the fast writer, without building a `JSONValue`
/// (and its dictionaries) first: typed entities such as the Mastodon API's.
public protocol JSONWritable: Sendable {
    func write(to json: inout JSONWriter)
}

/// Writes JSON as `JSONText` does (compact, slashes not escaped, strings escaped alike). An
/// object's members are written in the order given, which must be their keys' byte order — the
/// order every Kith document is written in, so a typed entity and the same `JSONValue` make the
/// same bytes. Debug builds check the order.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    /// Whether the next member or element is the first of its object or array.
    var first = true
    #if DEBUG
    /// The last key written in each open object.
    var lastKeys: [[UInt8]] = []
    #endif

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `value` as JSON bytes.
    public static func serialize(_ value: some JSONWritable) -> [UInt8] {
        var writer = JSONWriter()
        value.write(to: &writer)
        return writer.bytes
    }

    /// An object whose members `body` writes with `field`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        let outer = first
        first = true
        #if DEBUG
        lastKeys.append([])
        #endif
        body(&self)
        #if DEBUG
        lastKeys.removeLast()
        #endif
        first = outer
        bytes.append(UInt8(ascii: "}"))
    }

    /// One member of the object being written. Keys are plain ASCII names (never escaped).
    public mutating func field(_ key: StaticString, _ value: some JSONWritable) {
        self.key(key)
        value.write(to: &self)
    }

    /// A member's key (and the comma before it unless it is the first).
    mutating func key(_ key: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { name in
            #if DEBUG
            precondition(
                lastKeys.last.map { $0.lexicographicallyPrecedes(name) } ?? true,
                "JSON members must be written in their keys' byte order: \(key) after \(String(decoding: lastKeys.last ?? [], as: UTF8.self))")
            lastKeys[lastKeys.count - 1] = Array(name)
            #endif
            bytes.append(contentsOf: name)
        }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A member whose value is an object that `body` writes, for objects no type stands for.
    public mutating func object(named key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        object(body)
    }

    /// An array of `elements`.
    public mutating func array<Elements: Sequence>(_ elements: Elements) where Elements.Element: JSONWritable {
        bytes.append(UInt8(ascii: "["))
        var firstElement = true
        for element in elements {
            if !firstElement { bytes.append(UInt8(ascii: ",")) }
            firstElement = false
            element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A `JSONValue`, as `JSONText` writes it.
    public mutating func value(_ value: JSONValue) {
        JSONText.write(value, into: &bytes)
    }

    public mutating func string(_ text: String) {
        JSONText.writeString(text, into: &bytes)
    }

    public mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func integer(_ number: Int64) {
        bytes.append(contentsOf: String(number).utf8)
    }
}

extension JSONValue: JSONWritable {
    public func write(to json: inout JSONWriter) { json.value(self) }

    /// A typed entity as a value, for the few documents that mix one into a `JSONValue`.
    public init(_ writable: some JSONWritable) {
        // Written by the writer, so it parses.
        self = (try? JSONValue.parse(JSONWriter.serialize(writable))) ?? .null
    }
}

extension String: JSONWritable {
    public func write(to json: inout JSONWriter) { json.string(self) }
}

extension Bool: JSONWritable {
    public func write(to json: inout JSONWriter) { json.literal(self ? "true" : "false") }
}

extension Int: JSONWritable {
    public func write(to json: inout JSONWriter) { json.integer(Int64(self)) }
}

extension Int64: JSONWritable {
    public func write(to json: inout JSONWriter) { json.integer(self) }
}

extension Optional: JSONWritable where Wrapped: JSONWritable {
    public func write(to json: inout JSONWriter) {
        switch self {
        case .none: json.literal("null")
        case .some(let value): value.write(to: &json)
        }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(to json: inout JSONWriter) { json.array(self) }
}
