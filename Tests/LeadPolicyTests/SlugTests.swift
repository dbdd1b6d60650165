import LeadPolicy
import Testing

@Suite struct SlugTests {
    @Test(arguments: ["a", "jane-doe", "agent_7", "0abc", String(repeating: "x", count: 64)])
    func acceptsSlugs(_ candidate: String) {
        #expect(Slug.isValid(candidate))
    }

    @Test(arguments: ["", "-jane", "_x", "Jane", "jane doe", "jané", "a/b", String(repeating: "x", count: 65)])
    func refusesNonSlugs(_ candidate: String) {
        #expect(!Slug.isValid(candidate))
    }

    @Test func derivesReadableIDsFromNames() {
        #expect(Slug.make(from: "Jane O'Neil", fallback: "agent", taken: []) == "jane-o-neil")
        #expect(Slug.make(from: "  Crème Brûlée Realty!! ", fallback: "account", taken: []) == "creme-brulee-realty")
        #expect(Slug.make(from: "***", fallback: "agent", taken: []) == "agent")
    }

    @Test func makesDerivedIDsUnique() {
        #expect(Slug.make(from: "Jane", fallback: "agent", taken: ["jane"]) == "jane-2")
        #expect(Slug.make(from: "Jane", fallback: "agent", taken: ["jane", "jane-2"]) == "jane-3")
        let long = Slug.make(from: String(repeating: "word ", count: 40), fallback: "agent", taken: [])
        #expect(Slug.isValid(long))
    }
}
