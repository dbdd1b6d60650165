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
                for (index, item) in items.enumerated() {
                    guard case .string(let tag) = item else {
                        throw .badRequest("tags[\(index)]: must be a string (tags is a comma-separated string or an array of strings)")
                    }
                    // Buying Buddy reads tags as one comma-separated list: a comma inside a tag would
                    // reach it as two tags while the engine routed on one.
                    guard !tag.contains(",") else {
                        throw .badRequest("tags[\(index)]: must not contain a comma (Buying Buddy splits tags on commas)")
                    }
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
            // The address itself is not repeated: refusals are logged, and contact data stays out of logs.
            throw .badRequest("email: is not a plausible email address")
        }
        let tags = tagList(fields["tags"])
        let lead = Lead(vendorID: vendorID, email: email, campaignID: text(fields["campaign_id"]), tags: tags, fields: fields)
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
