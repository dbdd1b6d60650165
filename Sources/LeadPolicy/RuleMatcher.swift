import Foundation

/// Whether a rule's match fits a lead, and if not, what did not fit (put into words when read, in
/// ExplanationWords.swift).
enum RuleMatcher {
    /// nil when the lead, decided at `at`, fits; otherwise why not.
    static func mismatch(_ match: Rule.Match, _ lead: Lead, at: Date) -> RuleCheck.Because? {
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
        for condition in match.fields ?? [] {
            let found = condition.found(in: lead)
            if !condition.holds(for: found) { return .fieldMismatch(condition, found: found) }
        }
        if let schedule = match.schedule, !schedule.contains(at) {
            return .outsideSchedule(schedule, at: at)
        }
        return nil
    }
}
