"""Staff sign in through the page and land where their role works; the admin reads the audit log."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in_staff
from tests.factories.auth import PASSWORD


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_admin_signs_in_on_the_page_and_reads_the_audit_log(live, open_page, shot, auth, size):
    auth.staff_user("platform_admin", login="root")
    page = open_page(size)
    page.goto("/admin/audit")
    assert "/login" in page.url  # sent to sign in first
    shot(page, "staff-login")
    sign_in_staff(page, "root", PASSWORD)
    page.goto("/admin/audit")
    assert page.locator("h1").first.inner_text() in ("审计日志", "Audit log")
    # the action in words in the page's language, the raw action in its title
    assert page.locator('.action-name[title="staff.sign_in"]').first.inner_text() in ("登录", "signed in")
    shot(page, "admin-audit")
