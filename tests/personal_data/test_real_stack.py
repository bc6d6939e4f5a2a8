"""Join, download and withdraw through a real Daphne over HTTP, then try the room's
WebSocket with the old cookie: the same bytes a phone would send."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import re
import urllib.parse
import urllib.request
from typing import Any

import orjson
import pytest
from django.conf import settings
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from deliberation.people.models import Organisation, User
from deliberation.personal_data.models import ConsentRecord
from deliberation.personal_data.services import WITHDRAWN_NICKNAME
from tests import factories

pytestmark = pytest.mark.slow
COOKIE = settings.RESIDENT_COOKIE_NAME


class Phone:
    """A client with its own cookie jar, speaking plain HTTP to the server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path: str) -> tuple[int, str, bytes]:
        with self.opener.open(self.base + path, timeout=20) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()

    def post_form(self, path: str, fields: dict[str, Any]) -> tuple[str, str]:
        """Load the form's page for its CSRF token, post it; (final URL, final page)."""
        _status, _type, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), **fields})
        request = urllib.request.Request(
            self.base + path, data=data.encode(), headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=20) as response:
            return response.url, response.read().decode()


def _room_socket(base: str, session_id: int, cookie: str) -> dict[str, Any]:
    """Open the room's WebSocket with this cookie; its first message (the snapshot)."""
    url = base.replace("http://", "ws://") + f"/ws/sessions/{session_id}/"
    with connect(
        url, origin=base, additional_headers={"Cookie": f"{COOKIE}={cookie}"}, open_timeout=20
    ) as ws:
        return orjson.loads(ws.recv(timeout=20))


def test_join_download_withdraw_and_the_old_cookie_over_real_http(live_server_url: str) -> None:
    region = factories.OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)
    session = factories.SessionFactory(state=Session.State.LIVE, agenda__organisation=region)
    phone = Phone(live_server_url)

    url, _page = phone.post_form(
        "/join/",
        {
            "nickname": "한옥마을주민",
            "region": region.pk,
            "age_band": "20s",
            "consent-required": "on",
            "consent-optional": "on",
            "consent-version": "1",
            "next": "/my/data/",
        },
    )
    assert url.endswith("/my/data/")
    token = phone.cookie(COOKIE)
    assert token
    person = User.objects.get(nickname="한옥마을주민")
    assert ConsentRecord.objects.filter(user=person, granted=True).count() == 2

    snapshot = _room_socket(live_server_url, session.pk, token)
    assert snapshot["type"] == "snapshot" and snapshot["me"]["nickname"] == "한옥마을주민"
    Statement.objects.create(session=session, author=person, client_msg_id="a", text="발언 하나")

    status, content_type, body = phone.get("/my/data/export.json")
    data = orjson.loads(body)
    assert status == 200 and content_type.startswith("application/json")
    assert data["profile"]["nickname"] == "한옥마을주민" and data["profile"]["age_band"] == "20대"
    assert [s["text"] for s in data["statements"]] == ["발언 하나"]
    assert data["sessions"][0]["session_id"] == session.pk
    _status, _type, body = phone.get("/my/data/export.csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(r[0] == "발언" and r[3] == "발언 하나" for r in rows)

    url, page = phone.post_form("/my/data/withdraw/", {"confirm": "on"})
    assert url == live_server_url + "/" and "탈퇴했습니다" in page
    assert not phone.cookie(COOKIE)
    person.refresh_from_db()
    assert person.nickname == WITHDRAWN_NICKNAME and not person.is_active

    # The old cookie, replayed by anyone who kept it: no room, no data, no name.
    with pytest.raises(InvalidStatus) as refused:
        _room_socket(live_server_url, session.pk, token)
    assert refused.value.response.status_code == 403
    request = urllib.request.Request(
        live_server_url + "/my/data/", headers={"Cookie": f"{COOKIE}={token}"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        page = response.read().decode()
    assert "이 기기에는 마당 참여 정보가 없습니다." in page and "한옥마을주민" not in page
