"""The browser fixtures themselves: a real Daphne serves the home page to chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import SessionFactory

pytestmark = pytest.mark.browser


def test_home_page_in_chromium_shows_a_live_session(
    live_server_url: str, new_page: Any, shot: Any
) -> None:
    SessionFactory(title="브라우저 확인용 자유발언대", state="live")
    page = new_page(width=390)
    page.goto(live_server_url + "/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_text("브라우저 확인용 자유발언대").is_visible()
    assert page.madang_errors == []
    shot(page, "smoke-home-390")
