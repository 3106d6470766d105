"""API tokens and the API's docs in a real browser: make a token from the user menu, use it,
revoke it; the interactive docs run under the portal's CSP with vendored assets only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_a_clerk_makes_uses_and_revokes_a_token(page: Page, live_server, sign_in, clerk_a, world, year):
    sign_in(clerk_a)
    page.goto(live_server.url + "/help/")
    page.locator("[data-testid=user-menu]").click()
    page.locator("[data-testid=menu-api-tokens]").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/tokens/")

    page.locator("#id_name").fill("县统计系统")
    page.locator("[data-testid=make-token]").click()
    secret = page.locator("[data-testid=token-secret]")
    expect(secret).to_be_visible()
    raw = secret.inner_text().strip()

    api = page.context.request
    listed = api.get(f"{live_server.url}/api/v1/villages/", headers={"Authorization": f"Bearer {raw}"})
    assert listed.status == 200 and listed.json()["count"] == 2

    page.goto(live_server.url + "/accounts/tokens/")  # shown once: a new visit shows it no more
    expect(page.locator("[data-testid=token-secret]")).to_have_count(0)
    expect(page.locator("[data-testid=tokens]")).to_contain_text("县统计系统")
    page.locator("[data-testid=revoke-token]").click()
    expect(page.locator("[data-testid=tokens]")).to_contain_text("已吊销")
    refused = api.get(f"{live_server.url}/api/v1/villages/", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status == 401


def test_the_interactive_docs_run_with_vendored_assets_under_the_csp(page: Page, live_server, sign_in, clerk_a):
    sign_in(clerk_a)
    outside, violations = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(live_server.url + "/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("五强组织 API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert outside == [] and violations == []
