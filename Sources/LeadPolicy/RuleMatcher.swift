import Foundation

/// Whether a rule's match fits a lead, with the reason in words.
enum RuleMatcher {
    /// Why a rule did or did not take a lead: what was compared, put into words by `text` when read.
    enum Reason: Sendable {
        case text(String)
        case noCampaign(wanted: [String])
        case campaignNotListed(String, wanted: [String])
        case noTagAmong(tagsAny: [String], leadTags: [String])
        case lacksTags(tagsAll: [String], leadTags: [String])
        case vendorNotListed(String?, wanted: [String])

        var text: String {
            switch self {
            case .text(let text):
                return text
            case .noCampaign(let wanted):
                return "the lead has no campaign_id; the rule wants one of \(list(wanted))"
            case .campaignNotListed(let campaignID, let wanted):
                return "campaign_id '\(campaignID)' is not one of \(list(wanted))"
            case .noTagAmong(let tagsAny, let leadTags):
                return "none of the tags \(list(tagsAny)) is among the lead's \(list(leadTags))"
            case .lacksTags(let tagsAll, let leadTags):
                let tags = Set(leadTags.map { $0.lowercased() })
                return "the lead lacks the tags \(list(tagsAll.filter { !tags.contains($0.lowercased()) })) of \(list(tagsAll))"
            case .vendorNotListed(let vendorID, let wanted):
                return "vendor '\(vendorID ?? "none")' is not one of \(list(wanted))"
            }
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
        // Only rules that look at tags pay for lowering them (most rules of a large policy do not).
        let wantsTags = !(match.tagsAny ?? []).isEmpty || !(match.tagsAll ?? []).isEmpty
        let tags = wantsTags ? Set(lead.tags.map { $0.lowercased() }) : []
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
            let tags = Set(lead.tags.map { $0.lowercased() })
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
        "[" + values.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}
