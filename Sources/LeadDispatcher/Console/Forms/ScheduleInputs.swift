import Foundation
import LeadPolicy

/// A schedule's four inputs in a form (`<prefix>.time_zone`, `.days`, `.from`, `.until`), named after
/// the API's fields so that its errors land beside them. All four empty is no schedule.
enum ScheduleInputs {
    static func values(_ schedule: Schedule?, prefix: String) -> [String: String] {
        guard let schedule else { return [:] }
        return [prefix + ".time_zone": schedule.timeZone, prefix + ".days": schedule.days.map(\.rawValue).joined(separator: ", "),
                prefix + ".from": Schedule.clock(schedule.from), prefix + ".until": Schedule.clock(schedule.until)]
    }

    static func fields(_ values: [String: String], prefix: String, what: String, errors: [String: String]) -> [FormField] {
        [FormField(prefix + ".time_zone", "\(what): time zone", value: values[prefix + ".time_zone"] ?? "",
                   hint: "An IANA name such as America/Chicago. Leave the four schedule inputs empty for no schedule.", errors: errors),
         FormField(prefix + ".days", "\(what): days", value: values[prefix + ".days"] ?? "", hint: "Comma-separated: mon, tue, wed, thu, fri, sat, sun.",
                   errors: errors),
         FormField(prefix + ".from", "\(what): from", value: values[prefix + ".from"] ?? "", hint: "HH:MM, 24-hour clock.", errors: errors),
         FormField(prefix + ".until", "\(what): until", value: values[prefix + ".until"] ?? "",
                   hint: "HH:MM. Earlier than from runs past midnight; equal to from is the whole day.", errors: errors)]
    }

    /// The schedule object the API takes; nil when all four are empty (`null` when editing: it clears).
    static func body(_ form: [String: String], prefix: String, clearing: Bool) -> JSONValue? {
        let names = ["time_zone", "days", "from", "until"]
        let texts = names.map { (form[prefix + "." + $0] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        guard texts.contains(where: { !$0.isEmpty }) else { return clearing ? .null : nil }
        var schedule: [String: JSONValue] = [:]
        for (name, text) in zip(names, texts) where !text.isEmpty {
            schedule[name] = name == "days" ? FormBody.list(form, prefix + ".days", clearing: false) : .string(text)
        }
        return .object(schedule)
    }

    /// `Mon–Fri 09:00–17:00 America/Chicago`, for lists and pages.
    static func words(_ schedule: Schedule) -> String {
        "\(schedule.days.map { $0.rawValue }.joined(separator: ", ")) \(Schedule.clock(schedule.from))–\(Schedule.clock(schedule.until)) \(schedule.timeZone)"
    }
}
