import Foundation
import LeadPolicy

/// Checks the service-wide Buying Buddy endpoint setting with the rule accounts' overrides follow.
public enum CRMEndpoint {
    public static func validate(_ text: String, key: String) throws(SettingsError) {
        if let problem = CRMURL.problem(text) {
            throw SettingsError(key: key, message: problem)
        }
    }
}
