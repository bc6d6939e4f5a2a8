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
