"""Sign-in throttling: repeated wrong passwords lock the account and the address.

django-axes keeps the failures in the database (AxesDatabaseHandler), so every server
process counts the same attempts; an administrator lifts a lock from the admin.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

WRONG_TRIES = 60
PASSWORD = "madang-pass-1234"


def _sign_in(client: Client, username: str, password: str, address: str) -> object:
    return client.post(
        "/signin/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_sixty_wrong_passwords_lock_the_account_and_the_address() -> None:
    target = factories.FacilitatorFactory(username="jeonbuk_host")
    other = factories.FacilitatorFactory(username="busan_host")
    attacker = Client()
    statuses = [
        _sign_in(attacker, "jeonbuk_host", f"guess-{i}", "203.0.113.7").status_code
        for i in range(WRONG_TRIES)
    ]
    # The first tries are ordinary failures (the form again); then the lockout page.
    assert statuses[0] == 200 and statuses[-1] == 429
    assert statuses.count(429) >= WRONG_TRIES - 10

    # The right password, now from the same address: refused with the Korean message.
    locked = _sign_in(Client(), "jeonbuk_host", PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    assert "로그인이 잠시 막혔습니다" in locked.content.decode()
    assert "관리자에게 잠금 해제를 요청" in locked.content.decode()

    # The account is locked from any address ...
    elsewhere = _sign_in(Client(), "jeonbuk_host", PASSWORD, "198.51.100.20")
    assert elsewhere.status_code == 429
    assert "_auth_user_id" not in elsewhere.wsgi_request.session  # type: ignore[attr-defined]
    # ... and the address is locked for every account.
    same_address = _sign_in(Client(), "busan_host", PASSWORD, "203.0.113.7")
    assert same_address.status_code == 429
    # Another account from another address signs in as usual.
    fine = _sign_in(Client(), "busan_host", PASSWORD, "198.51.100.21")
    assert fine.status_code == 302
    assert other.pk and target.pk
    # The failures are rows in the database: shared by every server process.
    assert AccessAttempt.objects.filter(username="jeonbuk_host").exists()


def test_admin_spelled_otherwise_counts_as_the_same_account() -> None:
    factories.AdminFactory(username="admin")
    for i, spelling in enumerate(["admin", "ADMIN", " Admin "] * 4):
        _sign_in(Client(), spelling, f"nope-{i}", f"192.0.2.{i + 1}")
    locked = _sign_in(Client(), "admin", PASSWORD, "192.0.2.200")
    assert locked.status_code == 429


def test_an_administrator_lifts_the_lock_from_the_admin() -> None:
    factories.FacilitatorFactory(username="gyeongbuk_host")
    for i in range(12):
        _sign_in(Client(), "gyeongbuk_host", f"wrong-{i}", "203.0.113.9")
    assert _sign_in(Client(), "gyeongbuk_host", PASSWORD, "198.51.100.9").status_code == 429

    admin = factories.AdminFactory(is_staff=True, is_superuser=True)
    office = Client()
    office.force_login(admin)
    listing = office.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "gyeongbuk_host" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    office.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert _sign_in(Client(), "gyeongbuk_host", PASSWORD, "198.51.100.9").status_code == 302


def test_the_reset_command_unlocks_one_account() -> None:
    factories.FacilitatorFactory(username="daejeon_host")
    for i in range(12):
        _sign_in(Client(), "daejeon_host", f"wrong-{i}", f"198.51.100.{i + 30}")
    assert _sign_in(Client(), "daejeon_host", PASSWORD, "198.51.100.99").status_code == 429
    call_command("axes_reset_username", "daejeon_host")
    assert _sign_in(Client(), "daejeon_host", PASSWORD, "198.51.100.99").status_code == 302
