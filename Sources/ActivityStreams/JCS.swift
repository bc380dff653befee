/// The JSON Canonicalization Scheme (RFC 8785): the one byte sequence a JSON value signs as,
/// for object integrity proofs (FEP-8b32, cryptosuite eddsa-jcs-2022). Object members sorted by
/// their keys' UTF-16 code units, no white space, strings escaped as little as JSON allows,
/// numbers as ECMAScript writes them.
public enum JCS {
    public static func canonical(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        JSONText.write(value, into: &out, canonical: true)
        return out
    }

    /// A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3): the
    /// shortest digits that read back as the same double, in plain notation from 1e-6 up to
    /// 1e21 and in exponent notation (`1e+21`, `1.5e-7`) outside. Not finite: null.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        let sign = value < 0 ? "-" : ""
        // Swift's description is the shortest round-tripping form too; only its layout differs.
        let text = "\(abs(value))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        // n: where the decimal point falls after the first digit of `digits` (ECMAScript's n).
        var n = point + exponent
        while digits.first == "0", digits.count > 1 {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let s = String(digits)
        if k <= n && n <= 21 { return sign + s + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return sign + String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n && n <= 0 { return sign + "0." + String(repeating: "0", count: -n) + s }
        let e = n - 1
        let rest = k > 1 ? "." + String(digits[1...]) : ""
        return sign + String(digits[0]) + rest + "e" + (e < 0 ? "-" : "+") + String(abs(e))
    }
}
