"""The console in a real browser (Debian's chromium, headless, JavaScript off)."""
import os

from conftest import ADMIN, AUDITOR, sign_in

SCREENSHOTS = os.environ.get("CONSOLE_SCREENSHOTS")


def shoot(page, name):
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, name + ".png"), full_page=True)


def test_a_signed_out_visitor_is_sent_to_sign_in(page, service):
    page.goto(service.base + "/console/leads?status=dead")
    assert page.url.startswith(service.base + "/console/login")
    assert page.locator("h1").inner_text() == "Sign in"
    shoot(page, "login")


def test_a_wrong_password_shows_the_form_again(page, service):
    sign_in(page, service, (AUDITOR[0], "not the password"))
    assert "The email or the password is wrong." in page.content()
    assert page.context.cookies() == []


def test_an_auditor_finds_a_lead_by_email_and_sees_why(page, service):
    sign_in(page, service, AUDITOR)
    assert page.url == service.base + "/console"
    assert "Cy Auditor" in page.inner_text("header")
    shoot(page, "pipeline")
    page.click("nav >> text=Leads")
    page.fill("input[name=email]", "pat@example.com")
    page.click("form.filters button[type=submit]")
    assert "email=pat%40example.com" in page.url
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    shoot(page, "leads")
    rows.first.locator("a").click()
    assert page.url.endswith("/console/leads/" + service.leads["pat@example.com"])
    text = page.inner_text("main")
    assert "Buyer leads" in text and "buyer-leads" in text
    assert "Maria Lopez (maria)" in text or "Dan Okafor (dan)" in text
    assert "smooth weighted round robin" in text
    shoot(page, "lead")


def test_a_filtered_search_can_be_bookmarked_and_downloaded(page, service):
    sign_in(page, service, AUDITOR)
    page.goto(service.base + "/console/leads?status=unrouted")
    assert page.locator("select[name=status] option[selected]").inner_text() == "unrouted"
    assert page.locator("tbody tr").count() == 1
    assert service.leads["kim@example.com"] in page.inner_text("tbody")
    with page.expect_download() as download:
        page.click("text=Download these leads as CSV")
    lines = open(download.value.path(), encoding="utf-8").read().strip().splitlines()
    assert lines[0].startswith("lead_id,received_at")
    assert len(lines) == 2 and service.leads["kim@example.com"] in lines[1]


def test_an_auditors_pages_hold_no_form_that_changes_anything(page, service):
    sign_in(page, service, AUDITOR)
    for path in ["/console", "/console/leads", "/console/leads/" + service.leads["lee@example.com"], "/console/pools",
                 "/console/pools/buyers", "/console/agents",
                 "/console/rules", "/console/vendors", "/console/tokens", "/console/users", "/console/audit", "/console/audit/verify", "/console/versions", "/console/versions/1", "/console/fairness",
                 "/console/accounts", "/console/accounts/sunset", "/console/agents/maria", "/console/rules/buyer-leads", "/console/vendors/zillow",
                 "/console/recover", "/console/recover?status=dead", "/console/policy", "/console/simulate"]:
        page.goto(service.base + path)
        # A search (GET) changes nothing; the only POST an auditor is offered is signing out.
        posts = [form.get_attribute("action") for form in page.locator("form").all()
                 if (form.get_attribute("method") or "get").lower() == "post"]
        assert posts == ["/console/logout"], f"{path}: {posts}"


def test_a_post_without_its_form_token_is_refused(page, service):
    sign_in(page, service, ADMIN)
    refused = page.request.post(service.base + "/console/logout", form={"csrf_token": "forged"})
    assert refused.status == 403
    page.goto(service.base + "/console")
    assert page.url == service.base + "/console", "still signed in"
    page.click("button:has-text('Sign out')")
    assert page.url == service.base + "/console/login"
    page.goto(service.base + "/console")
    assert page.url.startswith(service.base + "/console/login")


def test_the_lists_show_the_policy_in_words_and_never_a_key(page, service):
    sign_in(page, service, AUDITOR)
    page.click("nav >> text=Rules")
    text = page.inner_text("main")
    assert "Buyer leads (buyer-leads)" in text and "a tag among buyer" in text and "pool Buyers (round robin)" in text
    shoot(page, "rules")
    page.click("nav >> text=Agents")
    shoot(page, "agents")
    text = page.inner_text("main")
    assert "Maria Lopez (maria)" in text and "bb-user-key" not in page.content()
    page.click("text=their leads >> nth=0")
    assert "agent_id=maria" in page.url
    page.click("nav >> text=Vendors")
    assert "Zillow (zillow)" in page.inner_text("main")
    shoot(page, "vendors")
    page.click("nav >> text=Tokens")
    assert "browser tests" in page.inner_text("main")
    shoot(page, "tokens")
    page.click("nav >> text=Users")
    shoot(page, "users")
    assert "cy@sunset.example" in page.inner_text("main") and "password" not in page.inner_text("main").lower()


def test_a_pool_shows_who_is_next_up(page, service):
    sign_in(page, service, AUDITOR)
    page.click("nav >> text=Pools")
    shoot(page, "pools")
    page.click("text=Buyers")
    assert page.url.endswith("/console/pools/buyers")
    assert "Next up:" in page.inner_text("main")
    assert page.locator("tr.next-up").count() == 1
    shoot(page, "pool")


def test_the_audit_log_and_its_chain(page, service):
    sign_in(page, service, AUDITOR)
    page.click("nav >> text=Audit")
    page.fill("input[name=entity_type]", "agent")
    page.fill("input[name=entity_id]", "maria")
    page.click("form.filters button[type=submit]")
    assert "entity_id=maria" in page.url
    assert "agent.created" in page.inner_text("tbody")
    shoot(page, "audit")
    page.click("text=Verify the whole chain now")
    assert "Intact:" in page.inner_text("main")
    shoot(page, "verify")
    page.goto(service.base + "/console/audit?actor=ann-admin")
    assert page.locator("input[name=actor]").get_attribute("value") == "ann-admin"


def test_a_lead_links_to_the_policy_version_it_was_decided_under(page, service):
    sign_in(page, service, AUDITOR)
    page.goto(service.base + "/console/leads/" + service.leads["pat@example.com"])
    page.click("dd >> a[href^='/console/versions/']")
    assert "/console/versions/" in page.url
    assert "What changed since version" in page.inner_text("main")
    shoot(page, "version")


def test_fairness_per_pool_as_a_chart_and_a_table(page, service):
    sign_in(page, service, AUDITOR)
    page.click("nav >> text=Fairness")
    page.select_option("select[name=pool_id]", "buyers")
    page.click("form.filters button[type=submit]")
    assert "pool_id=buyers" in page.url
    assert page.locator("svg.chart title#chart-title").count() == 1
    table = page.inner_text("table")
    assert "Maria Lopez (maria)" in table and "Dan Okafor (dan)" in table
    shoot(page, "fairness")


def test_the_versions_list(page, service):
    sign_in(page, service, AUDITOR)
    page.click("nav >> text=Versions")
    assert page.locator("tbody tr").count() >= 5
    shoot(page, "versions")
