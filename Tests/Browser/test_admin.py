"""An admin sets up routing from nothing in the browser alone (JavaScript off), and recovers from a CRM outage."""
import http.server
import json
import tempfile
import threading
import time

import pytest

from conftest import ADMIN, AUDITOR, Service, sign_in
from test_console import shoot


class StandInCRM:
    """Buying Buddy's Lead Import endpoint on a loopback port: answers 500 while `down`, else success."""

    def __init__(self):
        self.down = False
        self.received = []
        crm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                crm.received.append(time.monotonic())
                status, body = (500, b'{"success": false}') if crm.down else (200, b'{"success": true}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *arguments):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/clientapi/lead-import"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def fresh():
    """A service with no policy at all, delivering to a stand-in CRM, retrying fast."""
    crm = StandInCRM()
    with tempfile.TemporaryDirectory() as folder:
        running = Service(folder, crm_url=crm.url, seed=False,
                          extra=["--retry-initial-delay", "0.05", "--retry-max-delay", "0.1", "--max-attempts", "2"])
        try:
            running.start()
            running.crm = crm
            yield running
        finally:
            running.stop()
            crm.stop()


def wait_for(what, check, seconds=20):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def submit(page):
    page.click("form.entity button[value=save]")


def next_up(page):
    return page.locator("p.next strong").inner_text()


def test_an_admin_sets_up_routing_from_nothing_and_a_lead_goes_where_the_console_said(page, fresh):
    sign_in(page, fresh, ADMIN)
    page.click("nav >> text=Accounts")
    page.click("text=New account")
    page.fill("#f-name", "Sunset Realty")
    page.fill("#f-admin_api_key", "bb-admin-key-sunset-0001")
    shoot(page, "account-new")
    submit(page)
    assert page.url.endswith("/console/accounts/sunset-realty?done=created")
    assert "Created." in page.inner_text("main") and "bb-admin-key-sunset-0001" not in page.content()

    for name, key in [("Maria Lopez", "bb-user-key-maria-0002"), ("Dan Okafor", "bb-user-key-dan-00003")]:
        page.goto(fresh.base + "/console/agents/new")
        page.fill("#f-name", name)
        page.fill("#f-api_key", key)
        submit(page)
        assert "?done=created" in page.url, page.inner_text("main")

    # An invalid form: the error beside its field, nothing made, the key not echoed.
    page.goto(fresh.base + "/console/agents/new")
    page.fill("#f-name", "Lee Park")
    page.fill("#f-api_key", "bb-user-key-lee-00004")
    page.fill("#f-weight", "0")
    submit(page)
    assert page.locator("#f-weight-error").count() == 1
    assert "1 to 1000" in page.locator("#f-weight-error").inner_text()
    assert page.locator("#f-api_key").input_value() == ""
    shoot(page, "agent-invalid")
    assert len(fresh.api("GET", "/v1/agents")["items"]) == 2

    page.goto(fresh.base + "/console/pools/new")
    page.fill("#f-name", "Buyers")
    page.check("input[type=checkbox][value=maria-lopez]")
    page.check("input[type=checkbox][value=dan-okafor]")
    submit(page)
    assert page.url.endswith("/console/pools/buyers?done=created"), page.url

    page.goto(fresh.base + "/console/rules/new")
    page.fill("#f-name", "Buyer leads")
    page.fill("#f-match-tags_any", "buyer")
    page.select_option("#f-action", "pool:buyers")
    page.fill("#f-sample-tags", "buyer")
    page.click("button[value=preview]")
    assert "Preview:" in page.inner_text("main")
    assert not fresh.api("GET", "/v1/rules")["items"], "a preview saves nothing"
    shoot(page, "rule-preview")
    submit(page)
    assert page.url.endswith("/console/rules/buyer-leads?done=created"), page.inner_text("main")

    page.goto(fresh.base + "/console/vendors/new")
    page.fill("#f-name", "Zillow")
    submit(page)
    vendor_key = page.locator("code.secret-value").inner_text()
    assert vendor_key and "shown this once" in page.inner_text("main")
    shoot(page, "vendor-key")

    # Pause whoever is next up, from the pool's page: the next one up changes.
    page.goto(fresh.base + "/console/pools/buyers")
    first = next_up(page)
    page.locator("tr.next-up button").click()
    assert "?done=paused" in page.url
    second = next_up(page)
    assert second != first
    shoot(page, "pool-paused")

    lead = fresh.api("POST", "/clientapi/lead-import", {"fname": "Pat", "email": "pat@example.com", "tags": "buyer"}, token=vendor_key)
    page.goto(fresh.base + "/console/leads/" + lead["lead_id"])
    assert second in page.inner_text("main")


def test_an_auditor_cannot_post_any_admin_form(page, fresh):
    sign_in(page, fresh, AUDITOR)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path in ["/console/accounts/new", "/console/agents/new", "/console/pools/new", "/console/rules/new", "/console/vendors/new",
                 "/console/tokens/new", "/console/users/new", "/console/policy/import", "/console/recover", "/console/simulate/route"]:
        answer = page.request.post(fresh.base + path, form={"csrf_token": token, "name": "x"})
        assert answer.status == 403, path
    assert fresh.api("GET", "/v1/accounts")["items"] == []


def test_one_bulk_redeliver_sends_the_dead_leads_once_the_crm_is_back(page, fresh):
    fresh.api("POST", "/v1/accounts", {"id": "sunset", "name": "Sunset Realty", "admin_api_key": "bb-admin-key-sunset-0001"})
    fresh.api("POST", "/v1/rules", {"id": "all", "name": "Everything", "priority": 1, "action": {"type": "crm_round_robin", "account_id": "sunset"}})
    key = fresh.api("POST", "/v1/vendors", {"id": "zillow", "name": "Zillow"})["api_key"]
    fresh.crm.down = True
    ids = [fresh.api("POST", "/clientapi/lead-import", {"fname": name}, token=key)["lead_id"] for name in ["Ann", "Bo"]]
    wait_for("both leads dead", lambda: all(fresh.api("GET", "/v1/leads/" + i)["status"] == "dead" for i in ids))
    fresh.crm.down = False
    before = len(fresh.crm.received)

    sign_in(page, fresh, ADMIN)
    page.click("nav >> text=Recover")
    page.select_option("#f-action", "redeliver")
    page.select_option("#f-status", "dead")
    page.click("form.filters button[type=submit]")
    assert "2 leads match" in page.inner_text("main")
    shoot(page, "recover")
    assert len(fresh.crm.received) == before, "the review step changes nothing"
    page.click("text=Redeliver these 2 leads")
    assert "Redelivered: 2 leads" in page.inner_text("main")
    wait_for("both leads delivered", lambda: all(fresh.api("GET", "/v1/leads/" + i)["status"] == "delivered" for i in ids))
    assert len(fresh.crm.received) == before + 2

    # Nothing left: the filter says so.
    page.goto(fresh.base + "/console/recover?action=redeliver&status=dead")
    assert "No lead matches this filter" in page.inner_text("main")


def test_the_other_forms_tokens_users_keys_order_policy_and_simulate(page, fresh):
    fresh.api("POST", "/v1/accounts", {"id": "sunset", "name": "Sunset Realty", "admin_api_key": "bb-admin-key-sunset-0001"})
    for rule in [{"id": "first", "name": "First", "priority": 10, "match": {"tags_any": ["a"]}, "action": {"type": "crm_round_robin", "account_id": "sunset"}},
                 {"id": "second", "name": "Second", "priority": 20, "action": {"type": "crm_round_robin", "account_id": "sunset"}}]:
        fresh.api("POST", "/v1/rules", rule)
    sign_in(page, fresh, ADMIN)

    # Reorder: Second moves above First.
    page.goto(fresh.base + "/console/rules")
    page.click("button[aria-label='Move Second up']")
    assert "?done=moved" in page.url
    text = page.inner_text("tbody")
    assert text.index("Second (second)") < text.index("First (first)")

    # A token and a user, each secret shown once; a token revoked.
    page.goto(fresh.base + "/console/tokens/new")
    page.fill("#f-name", "nightly export")
    submit(page)
    token = page.locator("code.secret-value").inner_text()
    assert fresh.api("GET", "/v1/leads", token=token)["items"] == []
    page.click("button:has-text('Revoke')")
    assert "?done=revoked" in page.url and "revoked" in page.inner_text("main")
    page.goto(fresh.base + "/console/users/new")
    page.fill("#f-email", "dee@sunset.example")
    page.select_option("#f-role", "auditor")
    submit(page)
    assert "shown this once" in page.inner_text("main") and len(page.locator("code.secret-value").inner_text()) >= 12
    page.click("button:has-text('Disable')")
    assert "?done=disabled" in page.url

    # A vendor's key rotated: the old one stops working.
    page.goto(fresh.base + "/console/vendors/new")
    page.fill("#f-name", "Zillow")
    page.fill("#f-dedupe_window_minutes", "30")
    submit(page)
    old_key = page.locator("code.secret-value").inner_text()
    page.click("button:has-text('Rotate its key')")
    new_key = page.locator("code.secret-value").inner_text()
    assert new_key != old_key
    assert fresh.api("POST", "/clientapi/lead-import", {"fname": "Pat", "tags": "a"}, token=new_key)["success"]
    try:
        fresh.api("POST", "/clientapi/lead-import", {"fname": "Pat"}, token=old_key)
        assert False, "the old key still works"
    except Exception as error:
        assert "401" in str(error)

    # Simulate: a sample lead as of a time.
    page.goto(fresh.base + "/console/simulate")
    page.fill("#f-tags", "a")
    page.fill("#f-at", "2026-12-05T09:30:00Z")
    page.click("button:has-text('Route it')")
    assert "Preview: Sunset Realty" in page.inner_text("main")
    page.fill("#f-days", "7")
    page.click("button:has-text('Replay')")
    assert "Replayed 1 leads" in page.inner_text("main")

    # Import: a file with two problems lists both and applies nothing; the export re-imports; a restore.
    versions = len(fresh.api("GET", "/v1/policy/versions")["items"])
    bad = json.dumps({"accounts": [], "agents": [{"id": "x", "account_id": "nowhere", "name": "X", "api_key": "k-1234"}],
                      "pools": [{"id": "p", "name": ""}], "rules": []})
    page.goto(fresh.base + "/console/policy")
    page.set_input_files("#f-policy", files=[{"name": "policy.json", "mimeType": "application/json", "buffer": bad.encode()}])
    page.click("button:has-text('Check and import')")
    problems = page.inner_text(".errors")
    assert "agents[0].account_id" in problems and "pools[0].name" in problems, problems
    assert len(fresh.api("GET", "/v1/policy/versions")["items"]) == versions
    with page.expect_download() as download:
        page.click("text=Download policy.json")
    exported = open(download.value.path(), encoding="utf-8").read()
    assert "bb-admin-key-sunset-0001" not in exported
    page.set_input_files("#f-policy", files=[{"name": "policy.json", "mimeType": "application/json", "buffer": exported.encode()}])
    page.click("button:has-text('Check and import')")
    assert "?done=imported" in page.url
    page.goto(fresh.base + "/console/versions/2")
    page.click("button:has-text('Restore version 2')")
    assert "?done=restored" in page.url
    assert [rule["id"] for rule in fresh.api("GET", "/v1/rules")["items"]] == ["first"]


def test_every_edit_form_a_stale_form_a_double_submit_and_a_bulk_reroute(page, fresh):
    fresh.api("POST", "/v1/accounts", {"id": "sunset", "name": "Sunset Realty", "admin_api_key": "bb-admin-key-sunset-0001"})
    for agent_id, name in [("maria", "Maria Lopez"), ("dan", "Dan Okafor")]:
        fresh.api("POST", "/v1/agents", {"id": agent_id, "account_id": "sunset", "name": name, "api_key": f"bb-user-key-{agent_id}-0002"})
    fresh.api("POST", "/v1/pools", {"id": "buyers", "name": "Buyers", "members": [{"agent_id": "maria"}, {"agent_id": "dan"}]})
    fresh.api("POST", "/v1/rules", {"id": "all", "name": "Everything", "priority": 1, "action": {"type": "pool", "pool_id": "buyers"}})
    fresh.api("POST", "/v1/vendors", {"id": "zillow", "name": "Zillow"})
    sign_in(page, fresh, ADMIN)

    # An account renamed and its key replaced (never shown back), deactivated and activated again.
    page.goto(fresh.base + "/console/accounts/sunset")
    assert page.locator("#f-admin_api_key").input_value() == ""
    page.fill("#f-name", "Sunset Realty Group")
    page.fill("#f-admin_api_key", "bb-admin-key-sunset-7777")
    submit(page)
    assert page.url.endswith("/console/accounts/sunset?done=saved"), page.inner_text("main")
    assert "7777" in page.inner_text("main") and "bb-admin-key-sunset-7777" not in page.content()
    account = fresh.api("GET", "/v1/accounts/sunset")
    assert account["name"] == "Sunset Realty Group" and account["admin_api_key"].endswith("7777")
    page.click("button:has-text('Deactivate')")
    assert fresh.api("GET", "/v1/accounts/sunset")["active"] is False
    page.click("button:has-text('Activate')")
    assert fresh.api("GET", "/v1/accounts/sunset")["active"] is True

    # An agent's weight and a pool's member weight and sticky days.
    page.goto(fresh.base + "/console/agents/maria")
    page.fill("#f-weight", "3")
    submit(page)
    assert page.url.endswith("/console/agents/maria?done=saved") and fresh.api("GET", "/v1/agents/maria")["weight"] == 3
    page.goto(fresh.base + "/console/pools/buyers")
    page.click("text=Edit members, weights and sticky days")
    page.fill("#f-sticky_days", "7")
    page.fill("#f-members-1--weight", "2")
    submit(page)
    assert page.url.endswith("/console/pools/buyers?done=saved"), page.inner_text("main")
    pool = fresh.api("GET", "/v1/pools/buyers")
    assert pool["sticky_days"] == 7 and [m.get("weight") for m in pool["members"]] == [None, 2], pool

    # A rule renamed, disabled and enabled; a vendor's rate limit and dedupe window.
    page.goto(fresh.base + "/console/rules/all")
    page.fill("#f-name", "Every lead")
    submit(page)
    assert fresh.api("GET", "/v1/rules/all")["name"] == "Every lead"
    page.click("button:has-text('Disable')")
    assert fresh.api("GET", "/v1/rules/all")["enabled"] is False
    page.click("button:has-text('Enable')")
    assert fresh.api("GET", "/v1/rules/all")["enabled"] is True
    page.goto(fresh.base + "/console/vendors/zillow")
    page.fill("#f-rate_limit_per_minute", "120")
    page.fill("#f-dedupe_window_minutes", "15")
    submit(page)
    vendor = fresh.api("GET", "/v1/vendors/zillow")
    assert vendor["rate_limit_per_minute"] == 120 and vendor["dedupe_window_minutes"] == 15, vendor

    # A stale form: another tab saved first; this one says so and keeps the newer change.
    page.goto(fresh.base + "/console/agents/dan")
    other = page.context.new_page()
    other.goto(fresh.base + "/console/agents/dan")
    other.fill("#f-weight", "4")
    other.click("form.entity button[value=save]")
    assert other.url.endswith("?done=saved")
    other.close()
    page.fill("#f-name", "Daniel Okafor")
    submit(page)
    assert "changed by someone else" in page.inner_text("main")
    dan = fresh.api("GET", "/v1/agents/dan")
    assert dan["weight"] == 4 and dan["name"] == "Dan Okafor", dan

    # A create form sent again with the back button makes one entity.
    page.goto(fresh.base + "/console/agents/new")
    page.fill("#f-name", "Lee Park")
    page.fill("#f-api_key", "bb-user-key-lee-00004")
    submit(page)
    assert "?done=created" in page.url
    page.go_back()
    page.fill("#f-name", "Lee Park")
    page.fill("#f-api_key", "bb-user-key-lee-00004")
    submit(page)
    assert "?done=again" in page.url and "sent already" in page.inner_text("main")
    assert [a["id"] for a in fresh.api("GET", "/v1/agents")["items"]].count("lee-park") == 1

    # A CRM outage, then one bulk reroute: Maria has left the pool, so both dead leads go to Dan.
    key = fresh.api("POST", "/v1/vendors/zillow/rotate-key", {})["api_key"]
    fresh.crm.down = True
    ids = [fresh.api("POST", "/clientapi/lead-import", {"fname": name}, token=key)["lead_id"] for name in ["Ann", "Bo"]]
    wait_for("the leads dead", lambda: all(fresh.api("GET", "/v1/leads/" + i)["status"] == "dead" for i in ids))
    fresh.crm.down = False
    fresh.api("PATCH", "/v1/pools/buyers", {"members": [{"agent_id": "dan"}]})
    page.goto(fresh.base + "/console/recover")
    page.select_option("#f-action", "reroute")
    page.select_option("#f-status", "dead")
    page.click("form.filters button[type=submit]")
    assert "2 leads match" in page.inner_text("main")
    page.click("text=Reroute these 2 leads")
    assert "Rerouted: 2 leads" in page.inner_text("main"), page.inner_text("main")
    wait_for("the leads delivered", lambda: all(fresh.api("GET", "/v1/leads/" + i)["status"] == "delivered" for i in ids))
    assert {fresh.api("GET", "/v1/leads/" + i)["target"]["agent_id"] for i in ids} == {"dan"}
