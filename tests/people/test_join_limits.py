"""Quick-join limits and the device cookie, through HTTP as a browser sees them."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from deliberation.agendas.models import JoinMode, Session
from deliberation.live import participation
from deliberation.people import limits
from deliberation.people.devices import device_from_token
from deliberation.people.models import Organisation, User
from tests import factories
from tests.factories import join_consent

pytestmark = pytest.mark.django_db

HALL = "10.20.30.40"  # one Wi-Fi address shared by a whole lecture hall


@pytest.fixture
def jeonju() -> Organisation:
    return factories.OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)


@pytest.fixture(autouse=True)
def _steady_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits' clock stands still, so a slow run cannot cross into a new window."""
    monkeypatch.setattr(limits, "_clock", lambda: 1_800_000_100.0)


def _join(client: Client, region: Organisation, nickname: str, **extra: Any) -> Any:
    query = extra.pop("query", "")
    data = {"nickname": nickname, "region": region.pk, **join_consent(), **extra}
    return client.post(f"/join/{query}", data, REMOTE_ADDR=HALL)


def test_the_device_cookie_is_signed_long_lived_httponly_and_lax(jeonju: Organisation) -> None:
    client = Client()
    response = client.get("/join/")
    cookie = response.cookies[django_settings.DEVICE_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert device_from_token(cookie.value)
    assert device_from_token(cookie.value[:-2] + "xx") == ""  # forged: no device
    # The same browser keeps its id: the cookie is not reissued on later pages.
    assert django_settings.DEVICE_COOKIE_NAME not in client.get("/join/").cookies


def test_three_hundred_quick_joins_from_one_address_are_limited(jeonju: Organisation) -> None:
    results = [_join(Client(), jeonju, f"손님{i}").status_code for i in range(300)]
    joined = results.count(302)
    refused = results.count(429)
    per_address = django_settings.MADANG_JOIN_LIMIT_ADDRESS[0]
    assert joined == per_address and refused == 300 - per_address
    assert User.objects.filter(role=User.Role.RESIDENT).count() == per_address
    page = _join(Client(), jeonju, "한명더").content.decode()
    assert "새로 참여한 사람이 너무 많습니다" in page and "회의장 코드" in page


def test_a_venue_of_two_hundred_on_one_address_gets_in_with_the_venue_code(
    jeonju: Organisation, settings: Any
) -> None:
    # A small open limit keeps the test short; the venue-code limit is the real default.
    settings.MADANG_JOIN_LIMIT_ADDRESS = (20, 600)
    session = factories.SessionFactory(
        state=Session.State.LIVE, join_mode=JoinMode.VENUE_CODE, vote_mode=JoinMode.VENUE_CODE
    )
    # The morning's open joins from the same hall address already used the open limit.
    for i in range(settings.MADANG_JOIN_LIMIT_ADDRESS[0]):
        assert _join(Client(), jeonju, f"아침{i}").status_code == 302
    assert _join(Client(), jeonju, "늦은손님").status_code == 429
    code = participation.venue_code(session)
    query = f"?session={session.pk}&next=/sessions/{session.pk}/room/"
    statuses = [
        _join(Client(), jeonju, f"청중{i}", venue_code=code, query=query).status_code
        for i in range(200)
    ]
    assert statuses == [302] * 200
    verified = session.participants.filter(venue_verified_at__isnull=False).count()
    assert verified == 200


def test_a_wrong_venue_code_is_refused_clearly(jeonju: Organisation) -> None:
    session = factories.SessionFactory(state=Session.State.LIVE, join_mode=JoinMode.VENUE_CODE)
    wrong = "000000" if participation.venue_code(session) != "000000" else "111111"
    page = _join(Client(), jeonju, "틀린코드", venue_code=wrong, query=f"?session={session.pk}")
    assert page.status_code == 200
    assert "회의장 코드가 맞지 않습니다" in page.content.decode()
    assert not User.objects.filter(nickname="틀린코드").exists()


def test_one_browser_makes_only_a_few_identities(jeonju: Organisation) -> None:
    browser = Client()
    statuses = [_join(browser, jeonju, f"여러이름{i}").status_code for i in range(20)]
    allowed = django_settings.MADANG_JOIN_LIMIT_DEVICE[0]
    assert statuses[:allowed] == [302] * allowed
    assert set(statuses[allowed:]) == {429}


def test_a_person_keeps_their_identity_on_the_device(jeonju: Organisation) -> None:
    browser = Client()
    _join(browser, jeonju, "전주토박이")
    first = User.objects.get(nickname="전주토박이")
    # The resident cookie is gone (expired, cleared by the phone); the device cookie is not.
    browser.cookies.pop(django_settings.RESIDENT_COOKIE_NAME)
    page = browser.get("/join/").content.decode()
    assert "전주토박이(으)로 계속하기" in page
    browser.post("/join/", {"resume": "1"})
    assert browser.get("/").wsgi_request.user.pk == first.pk  # type: ignore[attr-defined]
    assert User.objects.filter(role=User.Role.RESIDENT).count() == 1


def test_the_limit_is_shared_between_processes_through_redis() -> None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    # Two server processes: two cache clients on the same Redis, with a private prefix.
    first = RedisCache(url, {"KEY_PREFIX": prefix})
    second = RedisCache(url, {"KEY_PREFIX": prefix})
    rule = limits.Limit("join-addr", 10, 60)
    allowed = [limits.hit(rule, HALL, cache=(first, second)[i % 2]) is None for i in range(20)]
    assert allowed.count(True) == 10 and allowed[:10] == [True] * 10


def test_a_burst_across_a_window_boundary_is_still_held_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = limits.Limit("join-addr", 10, 600)
    boundary = 1_800_000_000.0 - 1_800_000_000.0 % 600 + 600
    monkeypatch.setattr(limits, "_clock", lambda: boundary - 1)
    before = [limits.hit(rule, HALL) is None for _ in range(10)]
    monkeypatch.setattr(limits, "_clock", lambda: boundary + 1)
    after = [limits.hit(rule, HALL) is None for _ in range(10)]
    # A fixed window would let ten more in just after the boundary.
    assert before == [True] * 10 and after == [False] * 10
    # A quiet address: ten uses just before the boundary have mostly slid out of the
    # count by the end of the next window, so it may join again.
    quiet = "10.0.0.9"
    monkeypatch.setattr(limits, "_clock", lambda: boundary - 1)
    assert all(limits.hit(rule, quiet) is None for _ in range(10))
    monkeypatch.setattr(limits, "_clock", lambda: boundary + 300)
    assert limits.peek(rule, quiet) is False and limits.hit(rule, quiet) is None
