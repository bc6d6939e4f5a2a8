"""Stored XSS: hostile markup in statements, nicknames, agenda and session titles and
proposals, rendered by a real Daphne in real Chromium, on every page that shows them and
live through the room socket. A hook records any script the payloads manage to run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from websockets.sync.client import connect as ws_connect

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOADS = [
    "<img src=x onerror=alert('statement-img')>",
    "<svg onload=alert('statement-svg')>",
    "<a href=\"javascript:alert('js-link')\">눌러 보세요</a> javascript:alert('bare')",
    "<a href=\"data:text/html,<script>alert('data-link')</script>\">자료</a>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('noscript')>\">",
    "<script>alert('script')</script>",
    "<iframe srcdoc=\"<script>parent.alert('srcdoc')</script>\"></iframe>",
    "https://example.com/\"><img src=x onerror=alert('linkified')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "{{ 7*7 }} {% debug %} ${alert('template')}",
]
NICKNAME = "<svg/onload=alert()>"  # 20 characters: the nickname limit
TITLE = "<img src=x onerror=alert('title')>"

HOOK = """
window.__xss = [];
const note = (what) => { try { window.__xss.push(String(what)); } catch (e) {} };
window.alert = note; window.confirm = note; window.prompt = note; window.print = note;
"""


@pytest.fixture
def hostile_room(live_server_url: str) -> dict[str, Any]:
    from deliberation.live.services import statement_post

    facilitator = FacilitatorFactory(nickname="진행자")
    session = SessionFactory(
        title=f"숙의 {TITLE}",
        kind=Session.Kind.DELIBERATION,
        state=Session.State.LIVE,
        agenda__title=f"의제 {TITLE}",
        agenda__organisation=facilitator.organisation,
    )
    author = ResidentFactory(nickname=NICKNAME)
    for n, text in enumerate(PAYLOADS):
        statement_post(actor=author, session_id=session.pk, client_msg_id=f"x{n}", text=text)
    proposal = _proposal(facilitator, author, session)
    viewer = ResidentFactory(nickname="보는사람")
    return {
        "base": live_server_url,
        "session": session,
        "facilitator": facilitator,
        "author": author,
        "viewer": viewer,
        "proposal": proposal,
    }


def _proposal(facilitator: User, author: User, session: Session) -> Any:
    """A hostile proposal through the deliberation service, in its proposals phase."""
    from deliberation.structured import services as structured
    from deliberation.structured.models import PhaseKind
    from tests.structured.conftest import run_phase

    run_phase(session, PhaseKind.PROPOSALS)
    return structured.proposal_create(
        actor=author, session=session, title=TITLE, body=PAYLOADS[0] + PAYLOADS[4]
    )


def _guard(page: Any) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(HOOK)
    return dialogs


def _assert_nothing_ran(page: Any, dialogs: list[str], where: str) -> None:
    page.wait_for_load_state("networkidle")
    ran = page.evaluate("window.__xss")
    assert ran == [], f"{where}: script ran: {ran}"
    assert dialogs == [], f"{where}: dialog opened: {dialogs}"
    dangerous = page.evaluate(
        """() => {
          const bad = [];
          for (const el of document.querySelectorAll('body *')) {
            for (const attr of el.attributes) {
              const name = attr.name.toLowerCase();
              const value = attr.value.trim().toLowerCase();
              if (name.startsWith('on')) bad.push(el.tagName + ' ' + name);
              if ((name === 'href' || name === 'src' || name === 'srcdoc' || name === 'action')
                  && (value.startsWith('javascript:') || value.startsWith('data:text/html')
                      || name === 'srcdoc')) bad.push(el.tagName + ' ' + name + '=' + value);
            }
            if (el.tagName === 'SCRIPT' && /alert\\(/.test(el.textContent || '')) {
              bad.push('SCRIPT ' + el.textContent.slice(0, 60));
            }
            if (['IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) bad.push(el.tagName);
          }
          return bad;
        }"""
    )
    assert dangerous == [], f"{where}: live markup from a payload: {dangerous}"
    assert page.madang_errors == [], f"{where}: page errors: {page.madang_errors}"


def test_stored_payloads_run_no_script_on_any_page(
    hostile_room: dict[str, Any], new_page: Any, sign_in: Any
) -> None:
    base = hostile_room["base"]
    session = hostile_room["session"]
    assert hostile_room["proposal"] is not None, "the hostile proposal was not stored"
    viewer = hostile_room["viewer"]

    page = new_page(width=390)
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(viewer), "url": base}]
    )
    dialogs = _guard(page)
    # the hook itself works: a script that does run is recorded
    page.goto(base + "/")
    page.evaluate("alert('self-test')")
    assert page.evaluate("window.__xss") == ["self-test"]
    for path in [
        "/",
        f"/agendas/{session.agenda_id}/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/room/",
        f"/sessions/{session.pk}/projector/",
    ]:
        page.goto(base + path)
        _assert_nothing_ran(page, dialogs, path)

    # The room shows the payloads as text (escaped), not as markup.
    page.goto(f"{base}/sessions/{session.pk}/room/")
    page.get_by_text("onerror=alert('statement-img')").first.wait_for()
    page.get_by_text(NICKNAME).first.wait_for()
    _assert_nothing_ran(page, dialogs, "room with statements shown")

    # Live: a hostile statement arriving over the socket while the page is open.
    with ws_connect(
        f"{base.replace('http', 'ws', 1)}/ws/sessions/{session.pk}/",
        origin=base,  # type: ignore[arg-type]
        additional_headers={
            "Cookie": f"{settings.RESIDENT_COOKIE_NAME}={resident_token(hostile_room['author'])}"
        },
    ) as sock:
        assert json.loads(sock.recv(timeout=15))["type"] == "snapshot"
        for n, text in enumerate(PAYLOADS):
            sock.send(json.dumps({"type": "statement.post", "id": f"live{n}", "text": text}))
        acks = 0
        while acks < len(PAYLOADS):
            msg = json.loads(sock.recv(timeout=15))
            if msg.get("type") == "ack":
                acks += 1
            assert msg.get("type") != "error", msg
    page.get_by_text("onerror=alert('mxss')").last.wait_for()
    _assert_nothing_ran(page, dialogs, "room (live)")

    console = new_page(width=1280, height=900)
    console_dialogs = _guard(console)
    sign_in(console, base, hostile_room["facilitator"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    _assert_nothing_ran(console, console_dialogs, "console")
