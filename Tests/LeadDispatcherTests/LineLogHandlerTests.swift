import Logging
import Testing

@testable import LeadDispatcher
import DispatcherStores
import LeadStoreSQLite

@Suite struct LineLogHandlerTests {
    @Test func stampsInUTCWithMilliseconds() {
        #expect(LineLogHandler.timestamp(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        // 2026-12-01T09:00:05.042Z
        #expect(LineLogHandler.timestamp(seconds: 1_796_115_605, milliseconds: 42) == "2026-12-01T09:00:05.042Z")
        #expect(LineLogHandler.timestamp(seconds: 951_825_599, milliseconds: 999) == "2000-02-29T11:59:59.999Z")
    }

    @Test func writesLevelLabelSortedMetadataSourceAndMessage() {
        let event = LogEvent(level: .notice, message: "lead refused", metadata: nil, source: "LeadDispatcher",
                             file: #fileID, function: #function, line: #line)
        let line = LineLogHandler.line(event, label: "lead-dispatcher", metadata: ["status": "401", "hb.request.id": "abc"],
                                       seconds: 0, milliseconds: 7)
        #expect(line == "1970-01-01T00:00:00.007Z notice lead-dispatcher: hb.request.id=abc status=401 [LeadDispatcher] lead refused\n")
        let bare = LineLogHandler.line(event, label: "", metadata: [:], seconds: 0, milliseconds: 0)
        #expect(bare == "1970-01-01T00:00:00.000Z notice: [LeadDispatcher] lead refused\n")
    }
}
