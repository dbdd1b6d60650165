import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that the service can listen where it is told to, before it opens (or creates) the database:
/// a port already taken, or a host that is not this machine's, is said in words at once.
public enum ListeningAddress {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Binds a socket to `host:port` the way the server will (SO_REUSEADDR, as SwiftNIO sets it) and
    /// closes it again. Port 0 (any free port) always passes.
    public static func check(host: String, port: Int) throws(Unavailable) {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw Unavailable(description: "cannot listen on \(host):\(port): '\(host)' is not a host name or address this machine knows")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return }  // The server will say what is wrong.
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        let reason = switch errno {
        case EADDRINUSE: "port \(port) is in use by another program (is lead-dispatcher already running?); stop it or choose another --port"
        case EACCES: "port \(port) needs privileges this process does not have (ports below 1024); choose a port from 1024 up"
        case EADDRNOTAVAIL: "\(host) is not an address of this machine"
        default: String(cString: strerror(errno))
        }
        throw Unavailable(description: "cannot listen on \(host):\(port): \(reason)")
    }
}
