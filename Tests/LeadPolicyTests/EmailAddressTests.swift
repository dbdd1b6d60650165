import LeadPolicy
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: ["jane@example.com", "j.doe+leads@mail.example.co.uk", "x@a.io"])
    func acceptsPlausibleAddresses(_ address: String) {
        #expect(EmailAddress.isPlausible(address))
    }

    @Test(arguments: ["jane", "555-1234", "jane@", "@example.com", "jane@example", "jane doe@example.com", "a@b@c.com", "jane@-x.com"])
    func refusesImplausibleAddresses(_ address: String) {
        #expect(!EmailAddress.isPlausible(address))
    }
}
