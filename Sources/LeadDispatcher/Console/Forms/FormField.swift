import Foundation
import HTTPTypes
import LeadPolicy

/// One input of a console form, named after the API's field (`name`, `account_id`, `match.tags_any`,
/// `members[2].weight`), with the value to show and the error found for it. Templates read stored
/// properties only, so the kind is a set of flags.
struct FormField {
    struct Option {
        let value: String
        let label: String
        let selected: Bool
    }

    enum Kind {
        case text, number, email, secret, select([(value: String, label: String)]), checkbox(value: String), textarea, file
    }

    let name: String
    let label: String
    let value: String
    let hint: String
    let error: String
    let hasError: Bool
    let required: Bool
    /// The `type` of an `<input>`.
    let inputType: String
    let isInput: Bool
    let isSelect: Bool
    let isCheckbox: Bool
    let isTextarea: Bool
    let checked: Bool
    let options: [Option]
    /// The id of the input, for its label and its error's `aria-describedby`.
    let inputID: String

    init(_ name: String, _ label: String, kind: Kind = .text, value: String = "", hint: String = "", required: Bool = false,
         errors: [String: String] = [:]) {
        self.name = name
        self.label = label
        self.hint = hint
        self.required = required
        error = errors[name] ?? ""
        hasError = !error.isEmpty
        inputID = "f-" + name.map { $0.isLetter || $0.isNumber || $0 == "_" ? String($0) : "-" }.joined()
        var inputType = "text", isInput = true, isSelect = false, isCheckbox = false, isTextarea = false, checked = false
        var options: [Option] = []
        var shown = value
        switch kind {
        case .text: break
        case .number: inputType = "number"
        case .email: inputType = "email"
        case .secret:
            // Write-only: never filled in, never echoed.
            inputType = "password"
            shown = ""
        case .select(let choices):
            isInput = false
            isSelect = true
            options = choices.map { Option(value: $0.value, label: $0.label, selected: $0.value == value) }
        case .checkbox(let checkedValue):
            inputType = "checkbox"
            isInput = false
            isCheckbox = true
            checked = value == checkedValue
            shown = checkedValue
        case .textarea:
            isInput = false
            isTextarea = true
        case .file: inputType = "file"
        }
        self.value = shown
        self.inputType = inputType
        self.isInput = isInput
        self.isSelect = isSelect
        self.isCheckbox = isCheckbox
        self.isTextarea = isTextarea
        self.checked = checked
        self.options = options
    }
}

/// Reading a posted form into the JSON body the admin API takes, so that the console's changes go
/// through the API's own validation.
enum FormBody {
    /// A text field: trimmed; empty is absent (creating) or `null`, which clears it (editing).
    static func text(_ form: [String: String], _ name: String, clearing: Bool) -> JSONValue? {
        let text = (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? (clearing ? .null : nil) : .string(text)
    }

    /// A number field: a number when it reads as one, else the text as given, so that the API's
    /// validation names the field and says what it takes.
    static func number(_ form: [String: String], _ name: String, clearing: Bool) -> JSONValue? {
        let text = (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return clearing ? .null : nil }
        if let number = Double(text), number.isFinite { return .number(number) }
        return .string(text)
    }

    /// A comma-separated list field (`buyer, vip`): empty is no list.
    static func list(_ form: [String: String], _ name: String, clearing: Bool) -> JSONValue? {
        let text = (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return clearing ? .null : nil }
        return .array(text.split(separator: ",", omittingEmptySubsequences: false).map { .string($0.trimmingCharacters(in: .whitespaces)) })
    }

    /// A yes/no select (`true`/`false`); anything else is passed on for the API to refuse.
    static func bool(_ form: [String: String], _ name: String) -> JSONValue? {
        switch form[name] {
        case nil, ""?: nil
        case "true"?: .bool(true)
        case "false"?: .bool(false)
        case let other?: .string(other)
        }
    }

    /// A list shown again in a text field.
    static func listText(_ values: [String]?) -> String {
        (values ?? []).joined(separator: ", ")
    }
}

/// The errors of a refused form: each beside the input it names (the API's `field` path, or the input
/// whose name begins it: `match.tags_any[1]` is shown at `match.tags_any`), the rest above the form.
struct FormErrors {
    var byField: [String: String] = [:]
    var general: [String] = []

    init() {}

    init(_ error: any Error, inputs: [String], rename: (String) -> String = { $0 }) throws {
        let field: String?, message: String, whole: String
        switch error {
        case let error as APIError:
            (field, message, whole) = (error.field, error.message, error.message)
        case let error as PolicyError:
            (field, message, whole) = (error.field.isEmpty ? nil : error.field, error.message, error.description)
        case let error as DecodingError:
            let error = PolicyError(decodingError: error)
            (field, message, whole) = (error.field.isEmpty ? nil : error.field, error.message, error.description)
        case let error as StaleEdit:
            (field, message, whole) = (nil, error.message, error.message)
        default:
            throw error
        }
        guard let field else {
            general = [whole]
            return
        }
        let path = rename(field)
        let input = inputs.filter { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }.max { $0.count < $1.count }
        if let input {
            var text = Self.withoutPath(message, field: field)
            // A list input's item (`match.fields[2].value`): say which, as the form counts them.
            let rest = path.dropFirst(input.count)
            if rest.first == "[", let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                let noun = Self.itemNouns[input] ?? "item"
                text = noun + " " + String(index + 1) + ": " + text
            }
            byField[input] = text
        } else {
            general = [whole]
        }
    }

    /// What one item of a list input is called in its errors.
    static let itemNouns = ["match.fields": "condition", "match.schedule.days": "day", "schedule.days": "day"]

    var isEmpty: Bool { byField.isEmpty && general.isEmpty }

    /// The status a refused form is answered with: the API's for the same error.
    static func status(of error: any Error) -> HTTPResponse.Status {
        switch error {
        case let error as APIError: error.status
        case let error as PolicyError: APIError(error).status
        case is StaleEdit: .conflict
        default: .badRequest
        }
    }

    /// "name: must not be empty" beside the name input reads "must not be empty".
    static func withoutPath(_ message: String, field: String) -> String {
        message.hasPrefix(field + ": ") ? String(message.dropFirst(field.count + 2)) : message
    }
}
