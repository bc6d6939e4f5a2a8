"""Korean first, English available: every interface string has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")


def _entries(po: Path) -> list[tuple[str, str]]:
    """(msgid, first msgstr) pairs of a .po file, header excluded."""
    entries: list[tuple[str, str]] = []
    msgid: list[str] = []
    msgstr: list[str] = []
    target: list[str] | None = None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            if msgid:
                entries.append(("".join(msgid), "".join(msgstr)))
            msgid, msgstr, target = [line[6:].strip().strip('"')], [], None
            target = msgid
        elif line.startswith("msgid_plural "):
            target = None
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            target = msgstr
            msgstr.append(line.split(" ", 1)[1].strip().strip('"'))
        elif line.startswith("msgstr["):
            target = None
        elif line.startswith('"') and target is not None:
            target.append(line.strip().strip('"'))
    if msgid:
        entries.append(("".join(msgid), "".join(msgstr)))
    return [(i, s) for i, s in entries if i]


def test_every_interface_string_has_an_english_translation() -> None:
    entries = _entries(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500
    untranslated = [i for i, s in entries if not s]
    assert untranslated == []
    still_korean = [i for i, s in entries if HANGUL.search(s)]
    assert still_korean == []


def test_the_home_page_speaks_english_when_asked(db: None) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert 'lang="en"' in page
    assert "People's diplomacy sessions open now" in page
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko").get("/").content.decode()
    assert 'lang="ko"' in korean and "지금 열리는 국민외교 회의" in korean
