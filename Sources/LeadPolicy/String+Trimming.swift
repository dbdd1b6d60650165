extension String {
    /// The string without leading and trailing white space: what
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives, without Foundation's bridging through
    /// `NSString`, which cost more than the rest of validating a lead. That set is Unicode's White_Space
    /// plus U+200B ZERO WIDTH SPACE (the tests hold the two to the same result for every scalar).
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isTrimmedWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isTrimmedWhitespace })!
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }
}

extension Unicode.Scalar {
    fileprivate var isTrimmedWhitespace: Bool {
        value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : value == 0x200B || properties.isWhitespace
    }
}
