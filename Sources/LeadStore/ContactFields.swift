import Foundation
import LeadPolicy

/// The fields of a lead that identify or reach a person, erased by retention. Everything else —
/// campaign, tags, rating, the decision and its delivery history — stays, so the record still says who
/// got the lead and why.
public enum ContactFields {
    public static let names: Set<String> = [
        "email", "name", "fname", "lname", "first_name", "last_name", "full_name", "phone", "mobile", "cell", "phone_number",
        "address", "street", "address1", "address2", "city", "zip", "postal_code", "request_details", "notes", "message", "comments",
        "ip", "ip_address",
    ]

    /// The fields with every contact field removed.
    public static func erased(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        fields.filter { !names.contains($0.key.lowercased()) }
    }
}
