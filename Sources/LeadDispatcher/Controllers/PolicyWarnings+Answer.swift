import Foundation
import LeadPolicy
import LeadStore

extension JSONValue {
    /// The answer to a change of the policy, with `"warnings": [...]` when the policy now in force has
    /// something that cannot work as written (the change is applied all the same).
    func withPolicyWarnings(from repository: any PolicyRepository) async throws -> JSONValue {
        let warnings = try await repository.policyWarnings()
        guard !warnings.isEmpty, case .object(var fields) = self else { return self }
        fields["warnings"] = .array(warnings.map(JSONValue.string))
        return .object(fields)
    }
}
