import Foundation
import LeadPolicy
import LeadStore

/// Checks a vendor's fields the way Buying Buddy would, and splits off the vendor's key.
enum LeadValidator {
    static let nameFields = ["name", "fname", "lname"]
    static let maxFields = 200
    static let maxFieldNameLength = 100

    /// The validated fields (vendor key removed, `tags` as an array of strings) and the engine's view.
    static func validate(_ raw: [String: JSONValue], vendorID: String, receivedAt: Date) throws(IngestError) -> LeadSubmission {
        guard raw.count <= maxFields else {
            throw .badRequest("too many fields: \(raw.count), at most \(maxFields)")
        }
        var fields: [String: JSONValue] = [:]
        for (name, value) in raw where name != "api_key" {
            guard !name.isEmpty, name.count <= maxFieldNameLength else {
                throw .badRequest("field names must be 1 to \(maxFieldNameLength) characters")
            }
            switch value {
            case .null:
                continue
            case .string, .number:
                fields[name] = value
            case .array(let items) where name == "tags":
                guard items.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                    throw .badRequest("tags: must be a comma-separated string or an array of strings")
                }
                fields[name] = value
            default:
                throw .badRequest("\(name): must be a string or a number, not \(value.kindName)")
            }
        }
        guard nameFields.contains(where: { !(text(fields[$0]) ?? "").trimmingWhitespace.isEmpty }) else {
            throw .badRequest("name: a lead needs a name (name, fname or lname)")
        }
        let email = text(fields["email"])?.trimmingWhitespace
        if let email, !email.isEmpty, !EmailAddress.isPlausible(email) {
            throw .badRequest("email: '\(email.prefix(100))' is not a plausible email address")
        }
        let tags = tagList(fields["tags"])
        let lead = Lead(vendorID: vendorID, email: email, campaignID: text(fields["campaign_id"]), tags: tags)
        return LeadSubmission(vendorID: vendorID, fields: fields, lead: lead, receivedAt: receivedAt)
    }

    /// A field's value as text: a string as it is, a number as written.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let number)?: number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: nil
        }
    }

    /// `tags` as a list: a comma-separated string or an array of strings.
    static func tagList(_ value: JSONValue?) -> [String] {
        switch value {
        case .array(let items)?: items.compactMap(\.stringValue)
        case let other?: (text(other) ?? "").split(separator: ",").map(String.init)
        case nil: []
        }
    }
}
