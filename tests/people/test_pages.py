"""Quick-join, sign-in, sign-out and attaching an account, through the pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from deliberation.people.identity import resident_from_token
from deliberation.people.models import Organisation, User
from tests.factories import OrganisationFactory, UserFactory, join_consent

pytestmark = pytest.mark.django_db

COOKIE = settings.RESIDENT_COOKIE_NAME


@pytest.fixture
def jeonju() -> Organisation:
    return OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)


def test_quick_join_form_asks_nickname_region_and_optional_age(jeonju: Organisation) -> None:
    html = Client().get("/join/").content.decode()
    assert 'name="nickname"' in html and 'name="region"' in html and "전주시" in html
    assert 'name="age_band"' in html and "응답하지 않음" in html
    assert 'aria-describedby="id_nickname_helptext"' in html


def test_quick_join_sets_a_signed_cookie_and_goes_to_next(jeonju: Organisation) -> None:
    client = Client()
    response = client.post(
        "/join/",
        {
            "nickname": " 전주\u200b청년 ",
            "region": jeonju.pk,
            "age_band": "",
            "next": "/sessions/7/room/",
            **join_consent(),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/sessions/7/room/"
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    user = resident_from_token(cookie.value)
    assert user is not None
    assert (user.nickname, user.region, user.age_band, user.role) == (
        "전주청년",
        jeonju,
        "",
        User.Role.RESIDENT,
    )
    assert not user.has_usable_password()
    page = client.get("/").content.decode()
    assert "전주청년" in page and "계정 연결" in page


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil"]
)
def test_quick_join_never_redirects_off_site(jeonju: Organisation, next_url: str) -> None:
    response = Client().post(
        f"/join/?next={next_url}", {"nickname": "주민", "region": jeonju.pk, **join_consent()}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nickname": "", "region": "R"}, "nickname"),
        ({"nickname": "\u200b\u202e", "region": "R"}, None),
        ({"nickname": "가" * 21, "region": "R"}, None),
        ({"nickname": "주민", "region": ""}, "region"),
        ({"nickname": "주민", "region": "R", "age_band": "99s"}, "age_band"),
    ],
)
def test_quick_join_rejects_bad_input_and_stores_nothing(
    jeonju: Organisation, data: dict[str, str], field: str | None
) -> None:
    data = {k: (str(jeonju.pk) if v == "R" else v) for k, v in data.items()}
    response = Client().post("/join/", {**data, **join_consent(optional=True)})
    assert response.status_code == 200
    assert response.context["form"].errors
    if field:
        assert field in response.context["form"].errors
    assert not User.objects.exists()
    assert COOKIE not in response.cookies


def test_the_ministry_is_not_a_region() -> None:
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, slug="mofa")
    response = Client().post("/join/", {"nickname": "주민", "region": ministry.pk})
    assert "region" in response.context["form"].errors


def test_sign_out_is_post_only_and_kills_the_resident_cookie(jeonju: Organisation) -> None:
    client = Client()
    client.post("/join/", {"nickname": "도깨비12", "region": jeonju.pk, **join_consent()})
    token = client.cookies[COOKIE].value
    assert "도깨비12" in Client(HTTP_COOKIE=f"{COOKIE}={token}").get("/").content.decode()
    assert client.get("/signout/").status_code == 405
    response = client.post("/signout/")
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == ""
    assert resident_from_token(token) is None  # a copied cookie is dead too
    assert "도깨비12" not in Client(HTTP_COOKIE=f"{COOKIE}={token}").get("/").content.decode()


def test_sign_in_and_out_with_a_password() -> None:
    org = OrganisationFactory(name="부산광역시")
    UserFactory(
        username="busan", role=User.Role.FACILITATOR, organisation=org, nickname="부산 진행자"
    )
    client = Client()
    assert "아이디" in client.get("/signin/").content.decode()
    wrong = client.post("/signin/", {"username": "busan", "password": "nope"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    ok = client.post(
        "/signin/",
        {"username": "busan", "password": "madang-pass-1234", "next": "/my/organisation/"},
    )
    assert ok["Location"] == "/my/organisation/"
    assert "부산 진행자" in client.get("/").content.decode()
    client.post("/signout/")
    assert "부산 진행자" not in client.get("/").content.decode()


def test_a_resident_attaches_an_account_and_signs_in_elsewhere(jeonju: Organisation) -> None:
    client = Client()
    client.post("/join/", {"nickname": "전주청년", "region": jeonju.pk, **join_consent()})
    resident = User.objects.get()
    assert client.get("/account/attach/").status_code == 200
    mismatch = client.post(
        "/account/attach/",
        {"username": "jeonju_youth", "password1": "long-enough-pass-1", "password2": "other-2"},
    )
    assert "password2" in mismatch.context["form"].errors
    weak = client.post(
        "/account/attach/", {"username": "jeonju_youth", "password1": "1234", "password2": "1234"}
    )
    assert "password1" in weak.context["form"].errors
    UserFactory(username="taken")
    taken = client.post(
        "/account/attach/",
        {"username": "TAKEN", "password1": "long-enough-pass-1", "password2": "long-enough-pass-1"},
    )
    assert "username" in taken.context["form"].errors
    done = client.post(
        "/account/attach/",
        {
            "username": "jeonju_youth",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.username == "jeonju_youth" and resident.nickname == "전주청년"
    elsewhere = Client()
    elsewhere.post("/signin/", {"username": "jeonju_youth", "password": "long-enough-pass-1"})
    assert "전주청년" in elsewhere.get("/").content.decode()
    assert elsewhere.get("/account/attach/")["Location"] == "/"


def test_attach_account_is_404_for_those_who_have_nothing_to_attach() -> None:
    assert Client().get("/account/attach/").status_code == 404
    host = UserFactory(role=User.Role.FACILITATOR)
    client = Client()
    client.force_login(host)
    assert client.get("/account/attach/").status_code == 404
