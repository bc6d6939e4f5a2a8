"""One person, one voice in the live room, through the real ASGI stack and HTTP:
bans that hold a browser, nicknames nobody can borrow, staff badges, join modes."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from deliberation.agendas.models import JoinMode, Session
from deliberation.live import participation
from deliberation.people.devices import new_device_token
from deliberation.people.identity import resident_token
from deliberation.people.models import Organisation, User
from deliberation.people.services import resident_join
from deliberation.structured import services as structured
from tests import factories
from tests.factories import join_consent

from .conftest import Room

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """One phone: its device cookie stays; quick-join identities come and go on it."""

    def __init__(self) -> None:
        self.device_id, self.device_token = new_device_token()
        self.client = Client()
        self.client.cookies[settings.DEVICE_COOKIE_NAME] = self.device_token

    def cookie_for(self, user: User) -> str:
        return (
            f"{settings.RESIDENT_COOKIE_NAME}={resident_token(user)}; "
            f"{settings.DEVICE_COOKIE_NAME}={self.device_token}"
        )

    def resident(self, nickname: str, region: Organisation | None = None) -> User:
        from deliberation.personal_data import selectors, services
        from deliberation.personal_data.models import ConsentRecord

        region = region or factories.OrganisationFactory(kind=Organisation.Kind.LOCAL)
        user = resident_join(nickname=nickname, region=region, device_id=self.device_id)
        services.consent_record(
            user=user,
            notice=selectors.notice_current(),
            optional=False,
            channel=ConsentRecord.Channel.JOIN,
        )
        return user


async def _browser() -> Browser:
    return await sync_to_async(Browser)()


async def _post_join(browser: Browser, session: Session, nickname: str) -> Any:
    region = await database_sync_to_async(factories.OrganisationFactory)(
        kind=Organisation.Kind.LOCAL
    )

    def post() -> Any:
        return browser.client.post(
            f"/join/?session={session.pk}&next=/sessions/{session.pk}/room/",
            {"nickname": nickname, "region": region.pk, **join_consent()},
        )

    return await database_sync_to_async(post)()


async def test_a_banned_resident_who_picks_a_new_nickname_cannot_rejoin(room: Room) -> None:
    phone = await _browser()
    first = await database_sync_to_async(phone.resident)("말썽꾼")
    staff = await room.join(room.facilitator)
    troublemaker = await room.join(first, cookie=phone.cookie_for(first))
    await troublemaker.ok("statement.post", client_msg_id="m1", text="도배합니다")
    await staff.ok("participant.ban", user_id=first.pk, reason="도배")
    await troublemaker.event("kicked", reason="banned")

    # Same phone, nothing cleared, a new nickname: the join form for this session refuses.
    refused = await _post_join(phone, room.session, "착한주민")
    assert refused.status_code == 200
    assert "이 기기는 이 회의에서 차단되어" in refused.content.decode()
    # A new identity made elsewhere on the same phone: the room page and its socket refuse.
    second = await database_sync_to_async(phone.resident)("새사람")
    phone.client.cookies[settings.RESIDENT_COOKIE_NAME] = await database_sync_to_async(
        resident_token
    )(second)
    page = await database_sync_to_async(phone.client.get)(f"/sessions/{room.session.pk}/room/")
    assert page.status_code == 403
    assert "새 닉네임으로 다시 참여해도 마찬가지입니다" in page.content.decode()
    await room.join(second, cookie=phone.cookie_for(second), expect=False)

    # Another phone in the hall is not touched.
    other_phone = await _browser()
    neighbour = await database_sync_to_async(other_phone.resident)("옆자리")
    fine = await room.join(neighbour, cookie=other_phone.cookie_for(neighbour))
    await fine.ok("statement.post", client_msg_id="n1", text="안녕하세요")


async def test_an_organisation_ban_holds_in_the_organisations_other_sessions(room: Room) -> None:
    phone = await _browser()
    person = await database_sync_to_async(phone.resident)("떠돌이")
    staff = await room.join(room.facilitator)
    await room.join(person, cookie=phone.cookie_for(person))
    await staff.ok("participant.ban", user_id=person.pk, scope="organisation")
    other_session = await database_sync_to_async(factories.SessionFactory)(
        agenda=room.session.agenda, state=Session.State.LIVE
    )
    later = Room(session=other_session, facilitator=room.facilitator, clients=[])
    newcomer = await database_sync_to_async(phone.resident)("새이름")
    await later.join(newcomer, cookie=phone.cookie_for(newcomer), expect=False)
    await later.close_all()


async def test_the_console_sees_a_newcomer_on_a_muted_persons_device(room: Room) -> None:
    phone = await _browser()
    first = await database_sync_to_async(phone.resident)("시끄러운")
    staff = await room.join(room.facilitator)
    await room.join(first, cookie=phone.cookie_for(first))
    await staff.ok("participant.mute", user_id=first.pk)
    second = await database_sync_to_async(phone.resident)("조용한")
    await room.join(second, cookie=phone.cookie_for(second))
    warning = await staff.event("staff.shared_device")
    assert warning["warning"]["user_id"] == second.pk
    assert warning["warning"]["shares_with"] == {
        "user_id": first.pk,
        "nickname": "시끄러운",
        "state": "muted",
    }
    # A console opened later gets the same warning in its snapshot.
    later = await room.join(room.facilitator)
    assert [w["user_id"] for w in later.snapshot["staff"]["shared_devices"]] == [second.pk]


async def test_two_residents_never_share_a_nickname_in_one_session(room: Room) -> None:
    a_phone, b_phone = await _browser(), await _browser()
    a = await database_sync_to_async(a_phone.resident)("전주토박이")
    b = await database_sync_to_async(b_phone.resident)("전주 토박이")  # same after normalising
    first = await room.join(a, cookie=a_phone.cookie_for(a))
    second = await room.join(b, cookie=b_phone.cookie_for(b))
    assert first.snapshot["me"]["nickname"] == "전주토박이"
    assert second.snapshot["me"]["nickname"] == "전주 토박이 2"
    await first.ok("statement.post", client_msg_id="a", text="첫째")
    await second.ok("statement.post", client_msg_id="b", text="둘째")
    assert await first.wait_for(
        lambda m: m.get("type") == "statement.new" and m["statement"]["text"] == "둘째"
    )
    names = [
        m["statement"]["author"]["nickname"]
        for m in first.messages
        if m.get("type") == "statement.new"
    ]
    assert names == ["전주토박이", "전주 토박이 2"]
    # Joining this session through the form with a taken nickname asks for another.
    c_phone = await _browser()
    page = await _post_join(c_phone, room.session, "전주토박이")
    assert "다른 닉네임을 골라 주세요" in page.content.decode()


@pytest.mark.parametrize(
    "nickname",
    [
        "전북 진행자",
        "전북진행자",
        "관리자",
        "admin",
        "ＡＤＭＩＮ",
        "Ad\u200bmin",
        "외교부 직원",
        "전주시",
        "김 담당",
    ],
)
def test_impersonating_staff_is_refused(nickname: str) -> None:
    factories.OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)
    factories.FacilitatorFactory(nickname="김담당")
    region = factories.OrganisationFactory(kind=Organisation.Kind.LOCAL)
    response = Client().post(
        "/join/", {"nickname": nickname, "region": region.pk, **join_consent()}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "닉네임은 쓸 수 없습니다" in page
    assert not User.objects.filter(role=User.Role.RESIDENT).exists()


async def test_staff_speak_with_a_badge_residents_cannot_produce(room: Room) -> None:
    await database_sync_to_async(User.objects.filter(pk=room.facilitator.pk).update)(
        nickname="전북 진행자"
    )
    phone = await _browser()
    region = await database_sync_to_async(factories.OrganisationFactory)(
        name="군산시", kind=Organisation.Kind.LOCAL
    )
    resident = await database_sync_to_async(phone.resident)("군산청년", region)
    staff = await room.join(room.facilitator)
    listener = await room.join(resident, cookie=phone.cookie_for(resident))
    await staff.ok("statement.post", client_msg_id="s", text="진행자입니다")
    await listener.ok("statement.post", client_msg_id="r", text="주민입니다")
    said = {}
    for text in ("진행자입니다", "주민입니다"):
        m = await listener.wait_for(
            lambda m, t=text: m.get("type") == "statement.new" and m["statement"]["text"] == t
        )
        said[text] = m["statement"]["author"]
    assert said["진행자입니다"]["badge"] == "진행자"
    assert said["주민입니다"] == {
        "id": resident.pk,
        "nickname": "군산청년",
        "badge": "",
        "region": "군산시",
    }
    await listener.ok("hand.raise")
    queue = await staff.event("queue.changed")
    assert queue["queue"][0]["region"] == "군산시" and queue["queue"][0]["badge"] == ""


async def test_venue_code_mode_asks_for_the_code_before_posting(room: Room) -> None:
    await database_sync_to_async(Session.objects.filter(pk=room.session.pk).update)(
        join_mode=JoinMode.VENUE_CODE
    )
    phone = await _browser()
    resident = await database_sync_to_async(phone.resident)("회의장손님")
    client = await room.join(resident, cookie=phone.cookie_for(resident))
    refused = await client.fail(
        "statement.post", "venue_code_required", client_msg_id="x", text="안녕"
    )
    assert "회의장 코드" in refused["message"]
    phone.client.cookies[settings.RESIDENT_COOKIE_NAME] = await database_sync_to_async(
        resident_token
    )(resident)
    page = await database_sync_to_async(phone.client.get)(f"/sessions/{room.session.pk}/room/")
    assert "회의장 코드" in page.content.decode() and 'name="code"' in page.content.decode()
    session = await database_sync_to_async(Session.objects.get)(pk=room.session.pk)
    code = participation.venue_code(session)
    await database_sync_to_async(phone.client.post)(
        f"/sessions/{room.session.pk}/venue/", {"code": code}
    )
    await client.ok("statement.post", client_msg_id="y", text="이제 됩니다")


async def test_accounts_only_voting_refuses_quick_join_but_lets_anyone_react(room: Room) -> None:
    await database_sync_to_async(Session.objects.filter(pk=room.session.pk).update)(
        vote_mode=JoinMode.ACCOUNTS
    )
    poll = await database_sync_to_async(structured.poll_create)(
        actor=room.facilitator, session=room.session, question="좋아요?", options=["예", "아니오"]
    )
    option = await database_sync_to_async(lambda: poll.options.first().pk)()
    phone = await _browser()
    quick = await database_sync_to_async(phone.resident)("그냥손님")
    client = await room.join(quick, cookie=phone.cookie_for(quick))
    await client.ok("statement.post", client_msg_id="q", text="말은 할 수 있어요")
    refused = await client.fail(
        "poll.vote", "account_required", poll_id=poll.pk, option_ids=[option]
    )
    assert "로그인" in refused["message"]
    member = await database_sync_to_async(factories.ResidentFactory)()  # has an account
    voter = await room.join(member)
    await voter.ok("poll.vote", poll_id=poll.pk, option_ids=[option])


async def _pings_refused(room: Room, phones: list[Browser], per_socket: int) -> int:
    clients = []
    for i, phone in enumerate(phones):
        person = await database_sync_to_async(phone.resident)(f"핑{i}")
        clients.append(await room.join(person, cookie=phone.cookie_for(person)))
    for client in clients:
        for n in range(per_socket):
            await client.send_raw(f'{{"type": "ping", "id": "p{n}"}}')
    refused = 0
    for client in clients:
        for n in range(per_socket):
            reply = await client.wait_for(
                lambda m, rid=f"p{n}": m.get("id") == rid and m.get("type") in ("ack", "error")
            )
            refused += reply["type"] == "error" and reply["code"] == "rate_limited"
    return refused


async def test_nicknames_on_one_phone_share_one_rate_budget(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deliberation.live import consumers

    # Sockets themselves unlimited; one person: a burst of 10 (1 more a second).
    monkeypatch.setattr(consumers, "CONNECTION_RATE", (1000.0, 1000.0))
    monkeypatch.setattr(consumers, "PERSON_RATE", (1.0, 10.0))
    one_phone = await _browser()
    shared = await _pings_refused(room, [one_phone] * 4, per_socket=10)
    assert shared >= 40 - 10 - 5  # four nicknames, one budget
    separate = await _pings_refused(room, [await _browser() for _ in range(4)], per_socket=10)
    assert separate == 0  # four phones, four budgets
