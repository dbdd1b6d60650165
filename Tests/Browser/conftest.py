"""The real service on a loopback port, with a small policy, a vendor, leads, and two console users.

Run by `swift test` (ConsoleBrowserTests starts pytest) or alone: `python3 -m pytest Tests/Browser`
after `swift build`. Needs Debian's chromium and Playwright from PyPI (.ci/run installs both).
"""
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("LEAD_DISPATCHER_BINARY", os.path.join(ROOT, ".build", "debug", "lead-dispatcher"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ADMIN = ("ann@sunset.example", "admin password 1234")
AUDITOR = ("cy@sunset.example", "auditor password 1234")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, folder, crm_url="http://127.0.0.1:9/clientapi/lead-import", extra=(), seed=True):
        self.folder = folder
        self.crm_url = crm_url
        self.extra = list(extra)
        self.seed = seed
        self.database = os.path.join(folder, "dispatcher.sqlite")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.token = None
        self.leads = {}

    def command(self, *arguments, stdin=None):
        done = subprocess.run([BINARY, *arguments, "--database", self.database], input=stdin, capture_output=True,
                              text=True, cwd=self.folder, check=True)
        return done.stdout

    def api(self, method, path, body=None, token=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, method=method, data=data)
        request.add_header("Content-Type", "application/json")
        if token or self.token:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def start(self):
        self.token = self.command("token", "create", "--role", "admin", "--name", "browser tests").strip().splitlines()[-1]
        self.command("user", "create", "--email", ADMIN[0], "--role", "admin", "--name", "Ann Admin", "--password-stdin",
                     stdin=ADMIN[1] + "\n")
        self.command("user", "create", "--email", AUDITOR[0], "--role", "auditor", "--name", "Cy Auditor", "--password-stdin",
                     stdin=AUDITOR[1] + "\n")
        self.process = subprocess.Popen([BINARY, "serve", "--port", str(self.port), "--database", self.database,
                                         "--crm-url", self.crm_url, "--log-level", "error", *self.extra],
                                        cwd=self.folder)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the service did not become ready")
                time.sleep(0.1)
        if not self.seed:
            return
        for path, body in [
            ("/v1/accounts", {"id": "sunset", "name": "Sunset Realty", "admin_api_key": "bb-admin-key-sunset-0001"}),
            ("/v1/agents", {"id": "maria", "account_id": "sunset", "name": "Maria Lopez", "api_key": "bb-user-key-maria-0002", "weight": 3}),
            ("/v1/agents", {"id": "dan", "account_id": "sunset", "name": "Dan Okafor", "api_key": "bb-user-key-dan-00003"}),
            ("/v1/pools", {"id": "buyers", "name": "Buyers", "members": [{"agent_id": "maria"}, {"agent_id": "dan"}]}),
            ("/v1/rules", {"id": "buyer-leads", "name": "Buyer leads", "priority": 10, "match": {"tags_any": ["buyer"]},
                           "action": {"type": "pool", "pool_id": "buyers"}}),
        ]:
            self.api("POST", path, body)
        vendor_key = self.api("POST", "/v1/vendors", {"id": "zillow", "name": "Zillow"})["api_key"]
        for email, tags in [("pat@example.com", "buyer"), ("kim@example.com", "seller"), ("lee@example.com", "buyer")]:
            answer = self.api("POST", "/clientapi/lead-import", {"api_key": vendor_key, "fname": "Lead", "email": email, "tags": tags},
                              token=vendor_key)
            self.leads[email] = answer["lead_id"]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def service():
    with tempfile.TemporaryDirectory() as folder:
        running = Service(folder)
        try:
            running.start()
            yield running
        finally:
            running.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--disable-gpu", "--no-first-run", "--disable-background-networking"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A page with JavaScript off: every console page must work without it."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page, service, who):
    page.goto(service.base + "/console/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.click("button[type=submit]")
