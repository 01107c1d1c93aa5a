import os
import pytest
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from playwright.sync_api import sync_playwright
from cultivate.core.testing import make_organisation, make_team, make_person, make_user
from cultivate.accounts.models import Role
from cultivate.accounts.services import api_token_create


@pytest.mark.django_db(transaction=True)
def test_docs_csp(live_server):
    org = make_organisation("RX1"); team = make_team(org); make_person(org, team=team)
    admin = make_user(Role.ORG_ADMIN, organisation=org)
    _, secret = api_token_create(user=admin, membership=admin.memberships.get(), name="t")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = b.new_page()
        msgs = []
        page.on("console", lambda m: msgs.append((m.type, m.text)))
        page.on("pageerror", lambda e: msgs.append(("pageerror", str(e))))
        page.goto(live_server.url + "/api/docs")
        page.wait_for_selector(".opblock", timeout=15000)
        print("ops", page.locator(".opblock").count())
        print([page.locator(".opblock").nth(i).get_attribute("id") for i in range(page.locator(".opblock").count())])
        page.click("button.authorize")
        page.screenshot(path="/tmp/docs_auth.png")
        page.locator(".auth-container input").first.fill(secret)
        page.locator(".auth-container button.authorize").first.click()
        page.click("button.close-modal")
        op = page.locator(".opblock-get").filter(has_text="/api/people").first
        op.locator(".opblock-summary").first.click()
        page.click("button.try-out__btn")
        page.click("button.execute")
        page.wait_for_selector(".live-responses-table .response-col_status", timeout=15000)
        print("status", page.locator(".live-responses-table .response-col_status").first.inner_text())
        page.screenshot(path="/tmp/docs.png", full_page=False)
        for m in msgs: print(m)
        b.close()
