import AsyncHTTPClient
import Foundation
import HTTPTypes
import LeadPolicy
import LeadStore
import MultipartKit
import NIOCore
import NIOHTTP1

/// The result of one POST to Buying Buddy, classified.
struct CRMResult: Sendable {
    enum Verdict: Sendable {
        /// 2xx with `{"success": true}`.
        case delivered
        /// 2xx with `{"success": false}`, or without a readable answer: retried a bounded number of times.
        case rejected
        /// A connection error, a timeout, 429 or 5xx: retried with backoff.
        case transientFailure
        /// Another 4xx: retrying will not help until someone changes something.
        case permanentFailure
    }

    var verdict: Verdict
    var httpStatus: Int?
    var crmSuccess: Bool?
    var errorClass: String?
    var retryAfter: Double?
    var responseBody: String?
    var durationMS: Int
    /// For a failure without an answer: what failed, and where.
    var detail: String? = nil
}

/// Posts a lead to Buying Buddy with the target's key, as JSON, a URL-encoded form or a multipart form.
struct CRMClient: Sendable {
    static let responseBodyLimit = 2048

    let http: HTTPClient
    let defaultURL: String
    let format: DeliveryFormat
    let timeout: Double

    func post(_ job: DeliveryJob, apiKey: String) async -> CRMResult {
        let started = ContinuousClock.now
        func elapsed() -> Int {
            let duration = ContinuousClock.now - started
            return Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        var request = HTTPClientRequest(url: job.crmURL ?? defaultURL)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: "lead-dispatcher")
        request.headers.add(name: "Accept", value: "application/json")
        let (contentType, body) = Self.body(job.fields, apiKey: apiKey, format: format)
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(body)
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let buffer = try await response.body.collect(upTo: 256 * 1024)
            let text = String(decoding: buffer.readableBytesView.prefix(Self.responseBodyLimit), as: UTF8.self)
            return Self.classify(status: Int(response.status.code), headers: response.headers, body: buffer, text: text, durationMS: elapsed())
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return CRMResult(verdict: .transientFailure, errorClass: "timeout", durationMS: elapsed(),
                             detail: "no answer within \(timeout) s from \(Self.host(of: job.crmURL ?? defaultURL))")
        } catch {
            return CRMResult(verdict: .transientFailure, errorClass: "connection", durationMS: elapsed(),
                             detail: "\(Self.words(for: error)) (\(Self.host(of: job.crmURL ?? defaultURL)))")
        }
    }

    /// `host:port` of a CRM URL: what an attempt's detail names (never a path or query).
    static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "an unreadable URL" }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    /// A connection error in words, without the request: NIO's and AsyncHTTPClient's descriptions name
    /// the failing call and errno (`connect(descriptor:addr:size:): Connection refused (errno: 111)`).
    static func words(for error: any Error) -> String {
        let text = String(describing: error)
        // Keep one line, and bounded: an attempt row is not a log.
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return String(line.prefix(300))
    }

    static func classify(status: Int, headers: HTTPHeaders, body: ByteBuffer, text: String, durationMS: Int) -> CRMResult {
        switch status {
        case 200..<300:
            let success: Bool? = switch (try? JSONParser.parse(body.readableBytesView))?.objectValue?["success"] {
            case .bool(let value)?: value
            case .number(let value)?: value != 0
            case .string(let value)?: ["true", "1"].contains(value.lowercased())
            default: nil
            }
            switch success {
            case true?:
                return CRMResult(verdict: .delivered, httpStatus: status, crmSuccess: true, responseBody: text, durationMS: durationMS)
            case false?:
                return CRMResult(verdict: .rejected, httpStatus: status, crmSuccess: false, errorClass: "crm_rejected", responseBody: text, durationMS: durationMS)
            case nil:
                return CRMResult(verdict: .rejected, httpStatus: status, errorClass: "malformed_response", responseBody: text, durationMS: durationMS)
            }
        case 429:
            return CRMResult(verdict: .transientFailure, httpStatus: status, errorClass: "http_429",
                             retryAfter: headers.first(name: "Retry-After").flatMap(retryAfterSeconds), responseBody: text, durationMS: durationMS)
        case 500..<600:
            return CRMResult(verdict: .transientFailure, httpStatus: status, errorClass: "http_5xx",
                             retryAfter: headers.first(name: "Retry-After").flatMap(retryAfterSeconds), responseBody: text, durationMS: durationMS)
        default:
            return CRMResult(verdict: .permanentFailure, httpStatus: status, errorClass: "http_\(status)", responseBody: text, durationMS: durationMS)
        }
    }

    /// `Retry-After` as seconds from now: a number of seconds, or an HTTP date.
    static func retryAfterSeconds(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// Every field as received, `api_key` set to the target's key; `tags` as the comma-separated string
    /// Buying Buddy documents.
    static func body(_ fields: [String: JSONValue], apiKey: String, format: DeliveryFormat) -> (String, ByteBuffer) {
        var fields = fields
        if case .array(let tags)? = fields["tags"] {
            fields["tags"] = .string(tags.compactMap(\.stringValue).joined(separator: ","))
        }
        fields["api_key"] = .string(apiKey)
        let names = fields.keys.sorted()
        switch format {
        case .json:
            var text = JSONText()
            text.value(.object(fields), sortingKeys: true)
            return ("application/json", ByteBuffer(bytes: text.bytes))
        case .form:
            let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
            let text = names.map { name in
                let value = LeadValidator.text(fields[name]) ?? ""
                return (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                    + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
            }.joined(separator: "&")
            return ("application/x-www-form-urlencoded", ByteBuffer(string: text))
        case .multipart:
            let boundary = "lead-dispatcher-" + UUID().uuidString
            let parts = names.map { name in
                var headers = HTTPHeaders()
                headers.add(name: "Content-Disposition", value: "form-data; name=\"\(name.replacingOccurrences(of: "\"", with: "%22"))\"")
                return MultipartPart(headers: headers, body: LeadValidator.text(fields[name]) ?? "")
            }
            var buffer = ByteBuffer()
            try? MultipartSerializer().serialize(parts: parts, boundary: boundary, into: &buffer)
            return ("multipart/form-data; boundary=\(boundary)", buffer)
        }
    }
}
