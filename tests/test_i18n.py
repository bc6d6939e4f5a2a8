"""Korean first, English available: every interface string has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.support.catalog import untranslated_after_makemessages

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


@pytest.mark.slow
def test_makemessages_would_add_nothing_untranslated_to_the_english_catalog() -> None:
    """Every string the code and templates mark for translation has an English text."""
    assert untranslated_after_makemessages() == []


def test_the_catalog_check_catches_a_string_missing_from_the_catalog(tmp_path: Path) -> None:
    app = tmp_path / "deliberation"
    (app / "sample").mkdir(parents=True)
    (app / "sample" / "views.py").write_text(
        "from django.utils.translation import gettext as _\n"
        "from django.utils.translation import gettext_lazy\n"
        'TITLE = gettext_lazy("참여 현황")\n'
        'def label() -> str:\n    return _("목록에 없는 문구")\n',
        encoding="utf-8",
    )
    templates = tmp_path / "frontend"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% load i18n %}<p>{% translate "템플릿에만 있는 문구" %}</p>', encoding="utf-8"
    )
    missing = untranslated_after_makemessages(
        [app, templates], ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    )
    assert missing == ["목록에 없는 문구", "템플릿에만 있는 문구"]
