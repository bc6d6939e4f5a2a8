"""Under the Content-Security-Policy the pages' script still works: result bars get their
width, a refused form puts the keyboard on the error, and nothing is blocked."""

from __future__ import annotations

from typing import Any

import pytest

from deliberation.agendas.models import Session
from deliberation.people.models import Organisation, User
from deliberation.structured.models import FrozenResults
from tests.factories import OrganisationFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FROZEN = {
    "structured": True,
    "frozen_at": "2026-11-20T15:00:00+09:00",
    "vote": {
        "method": "approval",
        "ballots": 4,
        "results": [
            {"proposal_id": 1, "title": "청년 해외 인턴십", "score": 3, "votes": 3, "place": 1},
            {"proposal_id": 2, "title": "박람회 정례화", "score": 1, "votes": 1, "place": 2},
        ],
    },
    "proposals": [],
    "polls": [],
    "stances": {"for": 3, "against": 1},
}


def test_pages_work_without_inline_script_or_style(
    live_server_url: str, new_page: Any, shot: Any, sign_in: Any
) -> None:
    session = SessionFactory(state=Session.State.CLOSED, agenda__disclosure="public")
    FrozenResults.objects.create(session=session, data=FROZEN)
    region = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN, slug="csp-region")
    UserFactory(username="csp_host", role=User.Role.FACILITATOR, organisation=region)

    page = new_page()
    response = page.goto(f"{live_server_url}/sessions/{session.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    fills = page.locator(".delib-final .delib-bar__fill")
    assert fills.count() >= 2
    widths = [fills.nth(i).evaluate("e => e.getBoundingClientRect().width") for i in range(2)]
    track = page.locator(".delib-final .delib-bar").first.evaluate(
        "e => e.getBoundingClientRect().width"
    )
    assert widths[0] == pytest.approx(track, abs=2)  # 100 % (the top score)
    assert widths[1] == pytest.approx(track / 3, abs=2)  # 1 of 3
    shot(page, "csp-final-results-390")

    # A refused form: the keyboard lands on the first error.
    sign_in(page, live_server_url, "csp_host")
    page.goto(f"{live_server_url}/agendas/new/")
    page.get_by_role("button", name="의제 만들기").click()
    page.wait_for_load_state()
    focused = page.evaluate(
        "() => document.activeElement.matches('[data-form-error], [aria-invalid=true]')"
    )
    assert focused
    shot(page, "csp-form-error-390")
    assert page.madang_errors == []


def test_the_api_docs_page_renders_under_the_policy(live_server_url: str, new_page: Any) -> None:
    page = new_page(width=1280, height=900)
    page.goto(f"{live_server_url}/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() >= 8
    assert page.madang_errors == []
