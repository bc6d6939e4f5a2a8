"""Personal data never survives into what Madang stores or shows."""

from __future__ import annotations

import pytest
from stdnum.kr import rrn

from deliberation.common.privacy import mask_personal_data

VALID_RRN = "900101" + "123456" + rrn.calc_check_digit("900101123456")


@pytest.mark.parametrize(
    "text",
    [
        f"제 번호는 {VALID_RRN[:6]}-{VALID_RRN[6:]} 입니다",
        f"주민번호 {VALID_RRN}",
        f"{VALID_RRN[:6]} - {VALID_RRN[6:]}",
        "".join(chr(ord(c) + 0xFEE0) for c in VALID_RRN[:6])
        + "－"
        + "".join(chr(ord(c) + 0xFEE0) for c in VALID_RRN[6:]),
        " ".join(VALID_RRN[:6]) + " " + " ".join(VALID_RRN[6:]),
    ],
)
def test_registration_numbers_are_masked(text: str) -> None:
    masked = mask_personal_data(text)
    assert "[주민등록번호 가림]" in masked
    digits = "".join(ch for ch in masked if ch.isdigit())
    assert VALID_RRN[6:] not in digits


def test_thirteen_digits_that_are_no_registration_number_stay() -> None:
    text = "주문번호 9999999999999 확인"
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "phone",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "+82 10 1234 5678",
        "+82-10-1234-5678",
        "+82 (0)10 1234 5678",
        "(010)1234-5678",
        "02-123-4567",
        "031-1234-5678",
        "０１０－１２３４－５６７８",
    ],
)
def test_phone_numbers_are_masked(phone: str) -> None:
    masked = mask_personal_data(f"연락처: {phone} 로 주세요")
    assert "[전화번호 가림]" in masked
    assert "5678" not in masked and "4567" not in masked
    assert masked.startswith("연락처: ") and masked.endswith(" 로 주세요")


@pytest.mark.parametrize(
    "email", ["kim.minsu@example.com", "youth+jobs@jeonbuk.go.kr", "a_b@대학.kr"]
)
def test_email_addresses_are_masked(email: str) -> None:
    masked = mask_personal_data(f"메일은 {email} 입니다")
    assert email not in masked
    assert "[이메일 가림]" in masked


def test_ordinary_numbers_and_text_stay() -> None:
    text = "2026년 예산 1,200억 원, 청년 300명 파견, 회의는 3시 30분"
    assert mask_personal_data(text) == text


# --- separators people actually type, generated -----------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Each separator alone, doubled, or with spaces around it; full-width forms included.
_SEPARATORS = [" ", ".", "_", "-", "ㅡ", "~", "－", "．", "＿", "～", "·", "–", "—", "/"]
separator = st.builds(
    lambda sep, left, right: f"{' ' * left}{sep}{' ' * right}",
    st.sampled_from(_SEPARATORS),
    st.integers(0, 1),
    st.integers(0, 1),
) | st.sampled_from(["", " - ", "..", "--"])
full_width = st.booleans()


def _digits(text: str, wide: bool) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if wide and c.isdigit() else c for c in text)


@settings(max_examples=150, deadline=None)
@given(
    middle=st.sampled_from(["1234", "9876", "5555"]),
    last=st.sampled_from(["5678", "4321", "1004"]),
    prefix=st.sampled_from(["010", "011", "016", "019"]),
    sep1=separator,
    sep2=separator,
    wide=full_width,
)
def test_phone_numbers_with_any_separator_are_masked(
    middle: str, last: str, prefix: str, sep1: str, sep2: str, wide: bool
) -> None:
    phone = _digits(f"{prefix}{sep1}{middle}{sep2}{last}", wide)
    masked = mask_personal_data(f"연락 주세요 {phone} 감사합니다")
    assert "[전화번호 가림]" in masked, phone
    assert _digits(last, wide) not in masked


@settings(max_examples=150, deadline=None)
@given(sep=separator, wide=full_width)
def test_registration_numbers_with_any_separator_are_masked(sep: str, wide: bool) -> None:
    number = _digits(f"{VALID_RRN[:6]}{sep}{VALID_RRN[6:]}", wide)
    masked = mask_personal_data(f"제 번호 {number} 입니다")
    assert "[주민등록번호 가림]" in masked, number
    assert VALID_RRN[6:] not in "".join(ch for ch in masked if ch.isdigit())


@settings(max_examples=150, deadline=None)
@given(
    user=st.sampled_from(["kim.minsu", "youth_2026", "hong"]),
    at=st.sampled_from(["@", "＠", "(at)", "[at]", "{at}", " (AT) ", " 골뱅이 ", "골뱅이", " @ "]),
    domain=st.sampled_from(["example", "naver", "jeonbuk"]),
    dot=st.sampled_from([".", " . ", "(dot)", "[dot]", " 닷 "]),
    tld=st.sampled_from(["com", "kr", "go.kr"]),
)
def test_email_addresses_in_any_spelling_are_masked(
    user: str, at: str, domain: str, dot: str, tld: str
) -> None:
    address = f"{user}{at}{domain}{dot}{tld}"
    masked = mask_personal_data(f"메일은 {address} 로 보내 주세요")
    assert "[이메일 가림]" in masked, address
    assert domain not in masked and user not in masked


@pytest.mark.parametrize(
    "text",
    ["900101.1234568", "900101ㅡ1234568", "010.1234.5678", "010_1234_5678", "user(at)example.com"],
)
def test_the_spellings_from_the_issue_are_masked(text: str) -> None:
    digits_or_mail = mask_personal_data(f"정보: {text}")
    assert "가림]" in digits_or_mail and text not in digits_or_mail


@pytest.mark.parametrize(
    "text", ["2026.12.03 회의", "버전 1.2.3", "3~5명", "10_000원", "회의 2-3시"]
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_personal_data(text) == text
