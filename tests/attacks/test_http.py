"""HTTP attacks: forged or stale identities, missing CSRF tokens, bad Host headers, absurd
query values. Each is refused (or harmless) and never answered with a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client

from deliberation.people.identity import resident_from_token, resident_token
from deliberation.people.models import User
from deliberation.people.services import user_revoke_tokens

pytestmark = pytest.mark.django_db

COOKIE = settings.RESIDENT_COOKIE_NAME


def _swapped_payload(token: str, user_id: int) -> str:
    payload = signing.b64_encode(signing.JSONSerializer().dumps({"u": user_id, "v": 0})).decode()
    return payload + token[token.index(":") :]


def _as_resident(client: Client, token: str) -> Client:
    client.cookies[COOKIE] = token
    return client


def _who(client: Client) -> Any:
    """The person the server sees behind this client's cookies."""
    response = client.get("/")
    assert response.status_code == 200
    return response.wsgi_request.user


# -- identities ------------------------------------------------------------------------


def test_a_valid_resident_cookie_is_the_resident(resident: User) -> None:
    assert _who(_as_resident(Client(), resident_token(resident))).pk == resident.pk


def test_forged_resident_cookie_is_nobody(resident: User, admin_user: User) -> None:
    forged = [
        # right shape, signed with another key
        signing.dumps({"u": resident.pk, "v": 0}, key="not-the-secret", salt="madang.resident"),
        # a real token for one person with the payload swapped to name the admin
        _swapped_payload(resident_token(resident), admin_user.pk),
        # another salt (a token minted for something else)
        signing.dumps({"u": admin_user.pk, "v": 0}, salt="django.contrib.sessions"),
        "",
        "null",
        "' OR 1=1 --",
        "a" * 5000,
        "\u202e" + resident_token(resident),
    ]
    for token in forged:
        assert resident_from_token(token) is None, token
        if token.isascii():  # a header carries bytes; the test client only passes Latin-1
            assert not _who(_as_resident(Client(), token)).is_authenticated, token


def test_stale_token_version_after_sign_out_is_nobody(resident: User) -> None:
    token = resident_token(resident)
    client = _as_resident(Client(), token)
    response = client.post("/signout/")
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.token_version == 1
    # the old cookie, replayed by someone who copied it, no longer names anyone
    assert not _who(_as_resident(Client(), token)).is_authenticated


def test_banned_person_cookie_is_nobody(resident: User) -> None:
    token = resident_token(resident)
    user_revoke_tokens(user=resident)
    assert resident_from_token(token) is None
    User.objects.filter(pk=resident.pk).update(is_active=False)
    assert resident_from_token(resident_token(resident)) is None


def test_expired_resident_cookie_is_nobody(resident: User, settings: Any) -> None:
    token = resident_token(resident)
    settings.RESIDENT_COOKIE_MAX_AGE = -1  # every cookie is now older than its life
    assert resident_from_token(token) is None
    assert not _who(_as_resident(Client(), token)).is_authenticated


# -- CSRF --------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(resident: User, organisation: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/join/", {"nickname": "침입자", "region": organisation.pk}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 403
    assert not User.objects.filter(nickname="침입자").exists()

    victim = _as_resident(Client(enforce_csrf_checks=True), resident_token(resident))
    response = victim.post("/signout/")
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.token_version == 0  # a foreign page cannot sign the resident out


def test_post_with_a_foreign_origin_is_refused_even_with_a_token(organisation: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.get("/join/")
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    response = strict.post(
        "/join/",
        {"nickname": "침입자", "region": organisation.pk, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not User.objects.filter(nickname="침입자").exists()


# -- Host --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "127.0.0.1.evil.example",
        "localhost@evil.example",
        "127.0.0.1:80@evil.example",
        "",
        "a" * 300,
        "127.0.0.1\r\nX-Injected: 1",
    ],
)
def test_bad_host_header_is_refused(host: str) -> None:
    response = Client().get("/", HTTP_HOST=host)
    assert response.status_code == 400


# -- absurd query values -------------------------------------------------------------------


ABSURD = [
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    "%00",
    "１２",  # full-width digits
    "a" * 2000,
]


@pytest.mark.parametrize("value", ABSURD)
def test_absurd_pagination_and_filter_values_never_break_a_page(value: str) -> None:
    client = Client()
    for path in ["/", "/join/"]:
        for name in ["page", "page_size", "per_page", "limit", "offset", "after", "topic", "org"]:
            response = client.get(path, {name: value})
            assert response.status_code < 500, (path, name, value)
