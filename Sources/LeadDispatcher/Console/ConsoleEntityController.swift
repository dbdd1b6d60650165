import Foundation
import HTTPTypes
import Hummingbird
import LeadPolicy
import LeadStore

/// The pages and forms of one kind of policy entity: `GET …/new` and `POST …/new` create one,
/// `GET` and `POST` on its page edit it, `POST …/delete` removes it. Every change goes through the
/// admin API's own code (`PolicyEntityController`), so it is validated and audited as an API change
/// is, with the signed-in user as its actor.
struct ConsoleEntityController<Form: ConsoleEntityForm> {
    typealias Context = DispatcherRequestContext
    typealias Entity = Form.Entity

    let pages: ConsolePages
    let policies: any PolicyRepository
    let leads: any LeadRepository
    let vendors: any VendorRepository
    let settings: DispatcherSettings
    let once: FormOnce

    func addRoutes(to group: RouterGroup<Context>) {
        let base = String(Form.section.dropFirst("/console/".count))
        let edit = Form.editPath(":id").dropFirst("/console/".count).replacingOccurrences(of: "%3A", with: ":")
        group.get("\(base)/new", use: newPage)
        group.post("\(base)/new", use: create)
        group.get(RouterPath(edit), use: editPage)
        group.post(RouterPath(edit), use: update)
        group.post("\(base)/:id/delete", use: delete)
    }

    @Sendable func newPage(_ request: Request, context: Context) async throws -> Response {
        let stored = try await policies.currentPolicy()
        var values = Form.defaults(stored.policy)
        values["form_id"] = FormOnce.newID()
        return try await render(request, context, entity: nil, values: values, stored: stored)
    }

    @Sendable func editPage(_ request: Request, context: Context) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let entity = try existing(context, in: stored)
        return try await render(request, context, entity: entity, values: Form.values(entity), stored: stored,
                                notice: EntityPage.notice(ConsoleController.parameters(request)))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let user = context.consoleUser?.id ?? ""
        if form["intent"] == "preview" {
            return try await preview(request, context, entity: nil, form: form)
        }
        switch once.claim(form, section: Form.section, user: user) {
        case .done(let location):
            return .redirect(to: location + "?done=again", type: .normal)
        case .inFlight:
            throw ConsolePageError(.conflict, "This form is being saved already: wait a moment, then open the \(Form.noun)s list.")
        case .first:
            break
        }
        do {
            let (id, _) = try await PolicyEntityController<Entity>.create(Form.body(form, creating: true), in: policies, actor: context.actor)
            let location = Form.page(id)
            once.finish(form, section: Form.section, user: user, location: location)
            return .redirect(to: location + "?done=created", type: .normal)
        } catch {
            once.release(form, section: Form.section, user: user)
            return try await refused(error, request, context, entity: nil, form: form)
        }
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let stored = try await policies.currentPolicy()
        let entity = try existing(context, in: stored)
        if form["intent"] == "preview" {
            return try await preview(request, context, entity: entity, form: form)
        }
        do {
            _ = try await PolicyEntityController<Entity>.update(entity.id, Form.body(form, creating: false), in: policies, actor: context.actor,
                                                                expected: form["fingerprint"])
            return .redirect(to: Form.page(entity.id) + "?done=saved", type: .normal)
        } catch let stale as StaleEdit {
            // The newer change stays: the form shows it, and says why nothing was saved.
            let fresh = try await policies.currentPolicy()
            let current = try existing(context, in: fresh)
            return try await render(request, context, entity: current, values: Form.values(current), stored: fresh,
                                    errors: FormErrors(stale, inputs: []), status: .conflict)
        } catch {
            return try await refused(error, request, context, entity: entity, form: form)
        }
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let entity = try existing(context, in: stored)
        do {
            try await PolicyEntityController<Entity>.delete(entity.id, in: policies, actor: context.actor)
            return .redirect(to: Form.section + "?done=deleted", type: .normal)
        } catch {
            return try await render(request, context, entity: entity, values: Form.values(entity), stored: stored,
                                    errors: FormErrors(error, inputs: []), status: FormErrors.status(of: error))
        }
    }

    /// The form again with the values posted (never a key) and each error beside its input.
    func refused(_ error: any Error, _ request: Request, _ context: Context, entity: Entity?, form: [String: String]) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let inputs = Form.fields(form, creating: entity == nil, policy: stored.policy, mask: nil, errors: [:]).map(\.name)
        let errors = try FormErrors(error, inputs: inputs) { Form.inputPath(forError: $0, form: form) }
        return try await render(request, context, entity: entity, values: form, stored: stored, errors: errors, status: FormErrors.status(of: error))
    }

    /// A rule as the form stands, tried on the sample lead against the current rotations; nothing is saved.
    func preview(_ request: Request, _ context: Context, entity: Entity?, form: [String: String]) async throws -> Response {
        let stored = try await policies.currentPolicy()
        let creating = entity == nil
        let inputs = Form.fields(form, creating: creating, policy: stored.policy, mask: nil, errors: [:]).map(\.name)
        do {
            var body = Form.body(form, creating: creating)
            if let secret = Entity.secretField { body.removeValue(forKey: secret) }
            var draft = stored.policy
            if let entity {
                guard case .object(var fields) = try JSONValue(encoding: entity) else { throw PolicyError.invalid("", "cannot be shown") }
                for (key, value) in body { fields[key] = value == .null ? nil : value }
                let edited = try JSONValue.object(fields).decode(Entity.self)
                if let index = draft[keyPath: Entity.keyPath].firstIndex(where: { $0.id == entity.id }) { draft[keyPath: Entity.keyPath][index] = edited }
                try edited.validate(in: draft, context: ValidationContext(vendorIDs: Set(try await vendors.vendors().map(\.id))))
            } else {
                if body["id"] == nil { body["id"] = .string(Slug.make(from: body["name"]?.stringValue ?? "", fallback: Entity.idFallback, taken: [])) }
                let added = try JSONValue.object(body).decode(Entity.self)
                draft[keyPath: Entity.keyPath].removeAll { $0.id == added.id }
                draft[keyPath: Entity.keyPath].append(added)
                try added.validate(in: draft, context: ValidationContext(vendorIDs: Set(try await vendors.vendors().map(\.id))))
            }
            let (lead, at) = try LeadController.sampleLead(RuleForm.sampleBody(form))
            let decision = try await leads.preview(lead, at: at, draft: draft, dayTimeZone: settings.timeZone)
            return try await render(request, context, entity: entity, values: form, stored: stored,
                                    preview: EntityPage.preview(decision, policy: draft))
        } catch {
            let sampleInputs = ["campaign_id", "tags", "vendor_id", "email", "at", "fname"]
            let errors = try FormErrors(error, inputs: inputs + sampleInputs.map { "sample." + $0 }) { path in
                sampleInputs.contains(path) ? "sample." + path : Form.inputPath(forError: path, form: form)
            }
            return try await render(request, context, entity: entity, values: form, stored: stored, errors: errors, status: .badRequest)
        }
    }

    func render(_ request: Request, _ context: Context, entity: Entity?, values: [String: String], stored: StoredPolicy,
                errors: FormErrors = FormErrors(), status: HTTPResponse.Status = .ok, notice: String? = nil,
                preview: EntityPage.Preview? = nil) async throws -> Response {
        let creating = entity == nil
        let mask = entity.flatMap { entity in Entity.secretField.flatMap { (entity.adminView(masks: stored.secretMasks).objectValue?[$0])?.stringValue } }
        let title = creating ? "New \(Form.noun)" : "\(Form.noun.prefix(1).uppercased() + Form.noun.dropFirst()) \(entity!.name)"
        var hidden = Form.hidden(values, policy: stored.policy)
        if let entity {
            // A stale form keeps the fingerprint it was loaded with; a fresh page has the current one.
            let current = EntityFingerprint.of(entity.adminView(masks: stored.secretMasks))
            hidden.append(EntityPage.Hidden(name: "fingerprint", value: values["fingerprint"] ?? current))
        } else {
            hidden.append(EntityPage.Hidden(name: "form_id", value: values["form_id"] ?? FormOnce.newID()))
        }
        let sample = Form.previews
            ? EntityPage.Sample(fields: RuleForm.sampleFields(values, vendorIDs: try await vendors.vendors().map(\.id), errors: errors.byField)) : nil
        let form = EntityPage.Form(action: creating ? "\(Form.section)/new" : Form.editPath(entity!.id), multipart: false,
                                   fields: Form.fields(values, creating: creating, policy: stored.policy, mask: mask, errors: errors.byField),
                                   hidden: hidden, submit: creating ? "Create \(Form.noun)" : "Save changes", sample: sample)
        let page = EntityPage(
            chrome: ConsoleChrome(title, path: Form.section, request: request, context: context),
            heading: title, intro: entity.map { "Id \($0.id)." } ?? "", notice: notice, errors: errors.general,
            facts: entity.map { Form.facts($0, policy: stored.policy) } ?? [], form: form,
            actions: entity.map { Form.actions($0, policy: stored.policy) } ?? [], preview: preview,
            warnings: creating ? [] : try await policies.policyWarnings())
        return pages.render("entity", page, status: status)
    }

    func existing(_ context: Context, in stored: StoredPolicy) throws -> Entity {
        let id = try context.parameters.require("id")
        guard let entity = stored.policy[keyPath: Entity.keyPath].first(where: { $0.id == id }) else {
            throw ConsolePageError(.notFound, "There is no \(Form.noun) '\(id)'.")
        }
        return entity
    }
}
