import Foundation

/// Whether a rule's match fits a lead, with the reason in words.
enum RuleMatcher {
    /// nil when the lead fits; otherwise why not.
    static func mismatch(_ match: Rule.Match, _ lead: Lead) -> String? {
        if let campaignIDs = match.campaignIDs, !campaignIDs.isEmpty {
            guard let campaignID = lead.campaignID else {
                return "the lead has no campaign_id; the rule wants one of \(list(campaignIDs))"
            }
            guard campaignIDs.contains(campaignID) else {
                return "campaign_id '\(campaignID)' is not one of \(list(campaignIDs))"
            }
        }
        // Only rules that look at tags pay for lowering them (most rules of a large policy do not).
        let wantsTags = !(match.tagsAny ?? []).isEmpty || !(match.tagsAll ?? []).isEmpty
        let tags = wantsTags ? Set(lead.tags.map { $0.lowercased() }) : []
        if let tagsAny = match.tagsAny, !tagsAny.isEmpty, !tagsAny.contains(where: { tags.contains($0.lowercased()) }) {
            return "none of the tags \(list(tagsAny)) is among the lead's \(list(lead.tags))"
        }
        if let tagsAll = match.tagsAll, !tagsAll.isEmpty {
            let missing = tagsAll.filter { !tags.contains($0.lowercased()) }
            if !missing.isEmpty {
                return "the lead lacks the tags \(list(missing)) of \(list(tagsAll))"
            }
        }
        if let vendorIDs = match.vendorIDs, !vendorIDs.isEmpty {
            guard let vendorID = lead.vendorID, vendorIDs.contains(vendorID) else {
                return "vendor '\(lead.vendorID ?? "none")' is not one of \(list(vendorIDs))"
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
