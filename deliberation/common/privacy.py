"""Mask personal data before anything residents write is stored or leaves the room.

Resident registration numbers (주민등록번호, check digit validated with python-stdnum,
and also with full-width digits and spaces), Korean phone numbers in their common
spellings (010-1234-5678, 01012345678, +82 10 1234 5678, 02-123-4567 ...) and e-mail
addresses are replaced by a visible placeholder. The separators people type between the
groups are all caught, mixed or repeated: space, hyphens and dashes, ``.``, ``_``, ``~``,
the Hangul letter ``ㅡ``, middle dots, and their full-width forms; so are the e-mail
spellings ``(at)``, ``[at]``, ``골뱅이`` and ``(dot)``.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from stdnum.kr import rrn

_DIGIT_CLASS = "0-9\uff10-\uff19"
# One separator between digit groups: spaces, hyphens and dashes, dots, underscores,
# tildes, the Hangul letter ㅡ (U+3161), middle dots, box-drawing bars, full-width forms.
_SEP = (
    "[ \u00a0\u3000\\-\u2010-\u2015\u2212\uff0d._~\u3161\u00b7\u318d\u2027\u30fb"
    "\u1173\u119e\u2500\u2501\u301c\uff0e\uff3f\uff5e\uff65/,\uff0c]"
)

# Thirteen digits, split 6 + 7 by an optional separator (and optional spaces inside),
# not glued to other digits.
_RRN = re.compile(
    rf"(?<![{_DIGIT_CLASS}])"
    rf"((?:[{_DIGIT_CLASS}] ?){{5}}[{_DIGIT_CLASS}])"
    rf"(?:\s*{_SEP}){{0,3}}\s*"
    rf"((?:[{_DIGIT_CLASS}] ?){{6}}[{_DIGIT_CLASS}])"
    rf"(?![{_DIGIT_CLASS}])"
)

_PHONE = re.compile(
    rf"(?<![{_DIGIT_CLASS}+])"
    r"(?:"
    # international: +82 10 1234 5678, +82-10-1234-5678, 82-10-..., +82 (0)10 ...
    rf"(?:\+|\uff0b)?\s*8\s*2{_SEP}*\(?0?\)?{_SEP}*1[016789]{_SEP}*\d{{3,4}}{_SEP}*\d{{4}}"
    r"|"
    # mobile: 010-1234-5678, 010 1234 5678, 01012345678, (010)1234-5678
    rf"\(?0\s*1\s*[016789]\)?{_SEP}*\d{{3,4}}{_SEP}*\d{{4}}"
    r"|"
    # landlines: 02-123-4567, 031-1234-5678
    rf"\(?0(?:2|[3-6][1-5]|70)\)?{_SEP}+\d{{3,4}}{_SEP}+\d{{4}}"
    r")"
    rf"(?![{_DIGIT_CLASS}])"
)

# "@" as typed to dodge filters: (at), [at], {at}, <at>, 골뱅이; "." as (dot), [dot], 닷.
_AT = r"(?:\s*(?:@|\uff20)\s*|\s*[\(\[\{<]\s*(?i:at)\s*[\)\]\}>]\s*|\s*골뱅이\s*)"
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*(?i:dot)\s*[\)\]\}>]\s*|\s*닷\s*)"
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9_.+-]{1,64}"
    rf"{_AT}[A-Za-z0-9\u3131-\ud7a3-]+(?:{_DOT}[A-Za-z0-9-]+)+"
    r"|(?<![\w.+-])[\w.+-]{1,64}(?:@|\uff20)[A-Za-z0-9\u3131-\ud7a3-]+(?:\.[A-Za-z0-9-]+)+",
    re.UNICODE,
)


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.digit(ch)) for ch in text if unicodedata.digit(ch, None) is not None
    )


def _is_rrn(digits: str) -> bool:
    if len(digits) != 13:
        return False
    if rrn.is_valid(digits):
        return True
    # Numbers issued since October 2020 no longer carry a check digit: a valid
    # birth date with a valid sex/century digit is treated as a registration number too.
    try:
        rrn.get_birth_date(digits)
    except Exception:  # noqa: BLE001 - stdnum raises several kinds for a bad date
        return False
    return digits[6] in "12345678"


def _mask_rrn(match: re.Match[str]) -> str:
    digits = _ascii_digits(match.group(1) + match.group(2))
    return _("[주민등록번호 가림]") if _is_rrn(digits) else match.group(0)


def mask_personal_data(text: str) -> str:
    """The text with registration numbers, phone numbers and e-mail addresses masked."""
    if not text:
        return text
    # Full-width digits and symbols are matched through NFKC for phones and e-mails;
    # NFKC maps each of these characters to one character, so positions line up.
    text = _RRN.sub(_mask_rrn, text)
    folded = unicodedata.normalize("NFKC", text)
    if len(folded) == len(text):
        text = _sub_on_folded(text, folded, _EMAIL, _("[이메일 가림]"))
        folded = unicodedata.normalize("NFKC", text)
        text = _sub_on_folded(text, folded, _PHONE, _("[전화번호 가림]"))
    else:
        text = _EMAIL.sub(_("[이메일 가림]"), folded)
        text = _PHONE.sub(_("[전화번호 가림]"), text)
    return text


def _sub_on_folded(original: str, folded: str, pattern: re.Pattern[str], placeholder: str) -> str:
    out = []
    last = 0
    for match in pattern.finditer(folded):
        out.append(original[last : match.start()])
        out.append(placeholder)
        last = match.end()
    out.append(original[last:])
    return "".join(out)
