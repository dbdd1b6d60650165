import LeadPolicy

extension Decision {
    /// The decision with every quoted occurrence of `values` ('60601') in its words replaced by
    /// '(erased)': what retention keeps of a decision whose words quoted a field it erases (a rule on
    /// `zip` says "field 'zip' is '60601'"). The rule, the route and the target stay as they were.
    package func redacting(_ values: [String]) -> Decision {
        let quoted = values.filter { !$0.isEmpty }.map { "'\($0)'" }
        guard !quoted.isEmpty else { return self }
        func redact(_ text: String) -> String {
            quoted.reduce(text) { $0.replacingOccurrences(of: $1, with: "'(erased)'") }
        }
        var decision = self
        decision.explanation.summary = redact(explanation.summary)
        decision.explanation.rules = RuleChecks(explanation.rules.map { check in
            var check = check
            check.reason = redact(check.reason)
            return check
        })
        decision.explanation.steps = explanation.steps.map { step in
            var step = step
            step.note = redact(step.note)
            step.skipped = step.skipped.map { skip in
                var skip = skip
                skip.detail = redact(skip.detail)
                return skip
            }
            return step
        }
        return decision
    }
}
