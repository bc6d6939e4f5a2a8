"""A resident on a phone: joins with consent, reads the privacy notice, sees their data
and withdraws, in Korean and in English, at 390 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from deliberation.live.models import Statement
from deliberation.people.models import Organisation, User
from deliberation.personal_data.models import ConsentRecord
from deliberation.personal_data.services import WITHDRAWN_NICKNAME
from tests import factories

pytestmark = pytest.mark.browser

WORDS = {
    "ko": {
        "locale": "ko-KR",
        "required": "[필수] 개인정보 수집·이용에 동의합니다.",
        "optional": "[선택] 연령대 수집·이용에 동의합니다.",
        "join": "참여하기",
        "refused": "참여하려면 필수 항목에 동의해 주세요.",
        "notice": "개인정보 처리방침",
        "rights": "정보주체의 권리",
        "my_data": "내 정보",
        "statements": "발언 1개",
        "json": "JSON으로 받기",
        "withdraw_link": "탈퇴 안내 보기",
        "stays": "공적 기록으로 남는 것과 그 이유",
        "confirm": "위 내용을 읽었고, 탈퇴하면 되돌릴 수 없다는 것을 이해했습니다.",
        "withdraw": "탈퇴합니다",
        "confirm_needed": "탈퇴하려면 확인란에 표시해 주세요.",
        "done": "탈퇴했습니다.",
        "nobody": "이 기기에는 마당 참여 정보가 없습니다.",
        "age": "30대",
    },
    "en": {
        "locale": "en-US",
        "required": "[Required] I agree to the collection and use of my personal information.",
        "optional": "[Optional] I agree to the collection and use of my age band.",
        "join": "Join",
        "refused": "To take part, please agree to the required items.",
        "notice": "Privacy notice",
        "rights": "Your rights",
        "my_data": "My data",
        "statements": "1 statement",
        "json": "Download JSON",
        "withdraw_link": "What withdrawal means",
        "stays": "What stays in the public record, and why",
        "confirm": "I have read the above and understand that withdrawal cannot be undone.",
        "withdraw": "Withdraw now",
        "confirm_needed": "To withdraw, tick the box.",
        "done": "You have withdrawn",
        "nobody": "This device holds no Madang participation.",
        "age": "30s",
    },
}


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at a 390 px viewport"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_join_with_consent_notice_data_page_and_withdrawal_at_390(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, lang: str
) -> None:
    words = WORDS[lang]
    base = live_server_url
    region = factories.OrganisationFactory(
        name="전주시", name_en="Jeonju", kind=Organisation.Kind.LOCAL
    )
    session = factories.SessionFactory(state="live", agenda__organisation=region)
    page = new_page(width=390, locale=words["locale"])

    # Join: the consent block sits beside the form; without the required consent, refused.
    page.goto(f"{base}/join/?next=/my/data/")
    expect(page.get_by_label(words["required"])).to_be_visible()
    expect(page.get_by_label(words["optional"])).to_be_visible()
    axe_check(page, f"join with consent ({lang})")
    _fits(page)
    page.fill("#id_nickname", f"주민{lang}")
    page.select_option("#id_region", label="전주시" if lang == "ko" else "Jeonju")
    page.select_option("#id_age_band", index=3)
    page.get_by_role("button", name=words["join"], exact=True).click()
    expect(page.get_by_text(words["refused"])).to_be_visible()
    shot(page, f"privacy-join-refused-{lang}-390")
    page.get_by_label(words["required"]).check()
    page.get_by_label(words["optional"]).check()
    shot(page, f"privacy-join-consent-{lang}-390")
    page.get_by_role("button", name=words["join"], exact=True).click()
    page.wait_for_url(re.compile(r"/my/data/$"))
    person = User.objects.get(nickname=f"주민{lang}")
    assert ConsentRecord.objects.filter(user=person, granted=True).count() == 2
    Statement.objects.create(
        session=session, author=person, client_msg_id="b1", text="청년 해외 일자리 박람회"
    )

    # The notice, from the footer.
    page.locator(".site-footer").get_by_role("link", name=words["notice"]).click()
    page.wait_for_url(re.compile(r"/privacy/$"))
    expect(page.get_by_role("heading", name=re.compile(words["rights"]))).to_be_visible()
    expect(page.locator(".retention-table")).to_be_visible()
    axe_check(page, f"privacy notice ({lang})")
    _fits(page)
    shot(page, f"privacy-notice-{lang}-390")

    # The data page: what is held, downloads.
    page.locator(".site-footer").get_by_role("link", name=words["my_data"]).click()
    page.wait_for_url(re.compile(r"/my/data/$"))
    expect(page.get_by_text(words["statements"], exact=True)).to_be_visible()
    expect(page.get_by_text(words["age"])).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=words["json"]).click()
    assert "청년 해외 일자리 박람회" in download.value.path().read_text(encoding="utf-8")
    axe_check(page, f"my data ({lang})")
    _fits(page)
    shot(page, f"privacy-my-data-{lang}-390")

    # Withdrawal: an explanation, a confirmation, then the identity is gone.
    page.get_by_role("link", name=words["withdraw_link"]).click()
    page.wait_for_url(re.compile(r"/my/data/withdraw/$"))
    expect(page.get_by_role("heading", name=words["stays"])).to_be_visible()
    axe_check(page, f"withdraw ({lang})")
    _fits(page)
    shot(page, f"privacy-withdraw-{lang}-390")
    page.get_by_role("button", name=words["withdraw"]).click()
    expect(page.get_by_text(words["confirm_needed"])).to_be_visible()
    page.get_by_label(words["confirm"]).check()
    page.get_by_role("button", name=words["withdraw"]).click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_text(words["done"])).to_be_visible()
    shot(page, f"privacy-withdrawn-{lang}-390")
    person.refresh_from_db()
    assert person.nickname == WITHDRAWN_NICKNAME and not person.is_active
    page.goto(f"{base}/my/data/")
    expect(page.get_by_text(words["nobody"])).to_be_visible()
    page.goto(f"{base}/sessions/{session.pk}/room/")
    assert "/join/" in page.url
    assert page.madang_errors == []
