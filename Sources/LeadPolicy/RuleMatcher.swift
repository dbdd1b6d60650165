import Foundation

/// Whether a rule's match fits a lead, with the reason in words.
enum RuleMatcher {
    /// Why a rule did or did not take a lead: what was compared, put into words by `text` when read.
    enum Reason: Sendable, Equatable {
        case text(String)
        case noCampaign(wanted: [String])
        case campaignNotListed(String, wanted: [String])
        case noTagAmong(tagsAny: [String], leadTags: [String])
        case lacksTags(tagsAll: [String], leadTags: [String])
        case vendorNotListed(String?, wanted: [String])

        /// The reason in words.
        var text: String {
            if case .text(let text) = self { return text }
            var sentence = SentenceText()
            write(into: &sentence)
            return sentence.text
        }

        /// The reason's words, into a `String` or straight into a stored JSON document (every stored
        /// decision writes one per rule that did not match).
        func write(into sentence: inout some Sentence) {
            switch self {
            case .text(let text):
                sentence.value(text)
            case .noCampaign(let wanted):
                sentence.words("the lead has no campaign_id; the rule wants one of ")
                Self.list(wanted, into: &sentence)
            case .campaignNotListed(let campaignID, let wanted):
                sentence.words("campaign_id '")
                sentence.value(campaignID)
                sentence.words("' is not one of ")
                Self.list(wanted, into: &sentence)
            case .noTagAmong(let tagsAny, let leadTags):
                sentence.words("none of the tags ")
                Self.list(tagsAny, into: &sentence)
                sentence.words(" is among the lead's ")
                Self.list(leadTags, into: &sentence)
            case .lacksTags(let tagsAll, let leadTags):
                let tags = Set(leadTags.map { $0.lowercased() })
                sentence.words("the lead lacks the tags ")
                Self.list(tagsAll.filter { !tags.contains($0.lowercased()) }, into: &sentence)
                sentence.words(" of ")
                Self.list(tagsAll, into: &sentence)
            case .vendorNotListed(let vendorID, let wanted):
                sentence.words("vendor '")
                sentence.value(vendorID ?? "none")
                sentence.words("' is not one of ")
                Self.list(wanted, into: &sentence)
            }
        }

        /// `['a', 'b']`.
        static func list(_ values: [String], into sentence: inout some Sentence) {
            sentence.words("[")
            for (index, value) in values.enumerated() {
                sentence.words(index == 0 ? "'" : ", '")
                sentence.value(value)
                sentence.words("'")
            }
            sentence.words("]")
        }
    }

    /// nil when the lead fits; otherwise why not.
    static func mismatch(_ match: Rule.Match, _ lead: Lead) -> Reason? {
        if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty {
            guard let campaignID = lead.campaignID else {
                return .noCampaign(wanted: campaignIDs)
            }
            guard campaignIDs.contains(campaignID) else {
                return .campaignNotListed(campaignID, wanted: campaignIDs)
            }
        }
        let tags = lead.loweredTags
        if let tagsAny = match.tagsAny, !tagsAny.isEmpty, !tagsAny.contains(where: { tags.contains($0.lowercased()) }) {
            return .noTagAmong(tagsAny: tagsAny, leadTags: lead.tags)
        }
        if let tagsAll = match.tagsAll, !tagsAll.isEmpty, !tagsAll.allSatisfy({ tags.contains($0.lowercased()) }) {
            return .lacksTags(tagsAll: tagsAll, leadTags: lead.tags)
        }
        if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty {
            guard let vendorID = lead.vendorID, vendorIDs.contains(vendorID) else {
                return .vendorNotListed(lead.vendorID, wanted: vendorIDs)
            }
        }
        return nil
    }

    /// Why a fitting lead fits.
    static func reason(_ match: Rule.Match, _ lead: Lead) -> String {
        var parts: [String] = []
        if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty, let campaignID = lead.campaignID {
            parts.append("campaign_id '\(campaignID)' is listed")
        }
        if let tagsAny = match.tagsAny, !tagsAny.isEmpty {
            let tags = lead.loweredTags
            parts.append("tag \(list(tagsAny.filter { tags.contains($0.lowercased()) })) among tags_any")
        }
        if let tagsAll = match.tagsAll, !tagsAll.isEmpty {
            parts.append("has every tag of \(list(tagsAll))")
        }
        if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty, let vendorID = lead.vendorID {
            parts.append("vendor '\(vendorID)' is listed")
        }
        return parts.isEmpty ? "empty match: the rule takes every lead" : parts.joined(separator: "; ")
    }

    static func list(_ values: [String]) -> String {
        var sentence = SentenceText()
        Reason.list(values, into: &sentence)
        return sentence.text
    }
}

/// Where a reason's words go: fixed words (which need no escape) and values.
protocol Sentence {
    mutating func words(_ literal: StaticString)
    mutating func value(_ value: String)
}

/// A reason as a `String`.
struct SentenceText: Sentence {
    var text = ""

    mutating func words(_ literal: StaticString) {
        literal.withUTF8Buffer { text += String(decoding: $0, as: UTF8.self) }
    }

    mutating func value(_ value: String) {
        text += value
    }
}
