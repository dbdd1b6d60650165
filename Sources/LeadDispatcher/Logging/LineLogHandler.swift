#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Writes each log event as one line on standard error:
/// `2026-12-01T09:00:00.123Z info lead-dispatcher: key=value [source] message`.
///
/// swift-log's `StreamLogHandler` writes the same line with a local-time stamp, and glibc's
/// `localtime`/`strftime` look at `/etc/localtime` again on every call: with a line per request, that
/// was a third of the cost of logging a lead. Stamps here are UTC with milliseconds, as the audit
/// log's times are, so the two read side by side.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let text = Self.line(event, label: label, metadata: effectiveMetadata(event),
                             seconds: Int(time.tv_sec), milliseconds: Int(time.tv_nsec) / 1_000_000)
        Self.writeToStandardError(text)
    }

    /// The handler's, the provider's and the event's metadata (later ones win), and the error.
    private func effectiveMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }

    /// One event as its line, newline included; metadata sorted by key.
    static func line(_ event: LogEvent, label: String, metadata: Logger.Metadata, seconds: Int, milliseconds: Int) -> String {
        var line = timestamp(seconds: seconds, milliseconds: milliseconds)
        line += " \(event.level)"
        if !label.isEmpty { line += " \(label)" }
        line += ":"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        return line
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for seconds since 1970, UTC.
    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func digits(_ value: Int32, _ count: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))T"
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2)).\(digits(Int32(milliseconds), 3))Z"
    }

    /// One `write` per line, so that lines from concurrent requests never interleave.
    private static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
