"""Signing in with real Chromium and no internet; what each role sees (screenshots).

Every request that is not to 127.0.0.1 is aborted and fails the test (``offline_page``),
so these also show that signing in needs no network.
"""

from __future__ import annotations

import pytest

from layers.access import Role
from tests.ui.test_browser import _go, _no_exception, _open, _shot, _sign_in

pytestmark = pytest.mark.browser

UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'


def test_a_wrong_password_then_signing_in_and_out(offline_page, app_server) -> None:
    page = _open(offline_page, f"{app_server.url}/data", "数据管理")
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_text("未登录：仅可查看。").wait_for()
    assert page.locator(UPLOADER).count() == 0
    side.locator('input[aria-label="用户名"]').fill("admin")
    side.locator('input[type="password"]').fill("not-the-password")
    side.locator('[data-testid="stFormSubmitButton"] button').click()
    side.get_by_text("用户名或密码错误。").wait_for()
    _shot(page, "auth-wrong-password")
    assert page.locator(UPLOADER).count() == 0
    _sign_in(page, Role.admin)
    page.locator(UPLOADER).wait_for(state="attached")
    page.get_by_role("button", name="退出登录").click()
    side.get_by_text("未登录：仅可查看。").wait_for()
    page.locator(UPLOADER).wait_for(state="detached")  # fails the test if it stays
    _no_exception(page)


@pytest.mark.parametrize("role", [Role.viewer, Role.inspector, Role.admin])
def test_what_each_role_sees_on_data_and_restoration(offline_page, app_server,
                                                     role: Role) -> None:
    page = _open(offline_page, f"{app_server.url}/data", "数据管理")
    _sign_in(page, role)
    page.get_by_text("下载图层").first.wait_for()
    page.wait_for_timeout(1500)  # the page's last sections
    assert (page.locator(UPLOADER).count() == 1) is (role >= Role.editor)
    assert (page.get_by_text("版本与修改记录").count() > 0) is (role >= Role.editor)
    _no_exception(page)
    _shot(page, f"auth-{role.name}-data")
    _go(page, "矿山修复", "废弃矿山生态修复")
    page.get_by_text("优先级排序").first.wait_for()
    page.wait_for_timeout(1500)
    assert (page.get_by_text("记录一次巡查").count() > 0) is (role >= Role.inspector)
    _no_exception(page)
    _shot(page, f"auth-{role.name}-restoration")
