/// The pool members a rotation chose among, with their weights, in member order.
///
/// A decision in a pool of a thousand agents lists a thousand of them. Made by the engine, the list
/// is the policy's own array of the pool's members (shared, not copied) and the places of the eligible
/// ones in it, so building and dropping it costs no reference count per agent; each element is made
/// when read. Decoded or built from agents, it holds them as given.
public struct EligibleAgents: Sendable {
    private enum Storage: Sendable {
        case agents([EligibleAgent])
        /// Ascending indices into the pool's members.
        case members([PoolMember], [Int])
    }

    private let storage: Storage

    public init(_ agents: [EligibleAgent]) {
        storage = .agents(agents)
    }

    init(members: [PoolMember], indices: [Int]) {
        storage = .members(members, indices)
    }
}

extension EligibleAgents: RandomAccessCollection {
    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .agents(let agents): agents.count
        case .members(_, let indices): indices.count
        }
    }

    public subscript(position: Int) -> EligibleAgent {
        switch storage {
        case .agents(let agents):
            return agents[position]
        case .members(let members, let indices):
            let member = members[indices[position]]
            return EligibleAgent(agentID: member.agentID, weight: member.weight)
        }
    }
}

extension EligibleAgents: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: EligibleAgent...) {
        self.init(elements)
    }
}

extension EligibleAgents: Equatable {
    /// The same agents with the same weights in the same order. Two lists drawn from the same members
    /// array compare by their indices alone, which is what lets a stored decision see at once that a
    /// pool's eligible members are the ones of the lead before.
    public static func == (lhs: EligibleAgents, rhs: EligibleAgents) -> Bool {
        if case .members(let left, let leftIndices) = lhs.storage, case .members(let right, let rightIndices) = rhs.storage,
           left.withUnsafeBufferPointer({ $0.baseAddress }) == right.withUnsafeBufferPointer({ $0.baseAddress }) {
            return leftIndices == rightIndices
        }
        return lhs.elementsEqual(rhs)
    }
}

extension EligibleAgents: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try [EligibleAgent](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}
