import Foundation

/// Range checks shared by several entity kinds.
enum Validation {
    static func name(_ name: String) throws(PolicyError) {
        try EntityName.check(name, field: "name")
    }

    static func weight(_ weight: Int, field: String) throws(PolicyError) {
        guard Agent.weightRange.contains(weight) else {
            throw .invalid(field, "must be a whole number from \(Agent.weightRange.lowerBound) to \(Agent.weightRange.upperBound)")
        }
    }
}
