"""Hostile agenda descriptions come out harmless, on the page as in the database."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.agendas import services
from deliberation.common.sanitize import RICH_TAGS, sanitize_rich_text
from deliberation.people.models import User
from tests.factories import OrganisationFactory, UserFactory

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<p onclick="alert(1)">클릭</p>',
    "<b onmouseover=alert(1)>굵게</b>",
    '<a href="javascript:alert(1)">링크</a>',
    '<a href="JaVaScRiPt:alert(1)">링크</a>',
    '<a href=" javascript:alert(1)">링크</a>',
    '<a href="java&#x09;script:alert(1)">링크</a>',
    '<a href="&#106;avascript:alert(1)">링크</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">데이터</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<svg onload=alert(1)><p>svg</p></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<p style="background:url(javascript:alert(1))">스타일</p>',
    '<p style="position:fixed;inset:0">덮기</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)//",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<!--><img src=x onerror=alert(1)>-->",
    '<a href="https://ok.example" target="_self" onfocus="alert(1)" autofocus>ok</a>',
]


class _Audit(HTMLParser):
    """Collects every tag and attribute a browser would build from the markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)


def assert_harmless(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    assert set(audit.tags) <= RICH_TAGS, audit.tags
    for tag, name, value in audit.attrs:
        assert (tag, name) in {("a", "href"), ("a", "rel"), ("a", "title"), ("a", "target")}, (
            tag,
            name,
        )
        if name == "href":
            assert value.startswith(("http://", "https://", "mailto:")), value
    for tag, name, value in audit.attrs:
        if tag == "a" and name == "rel":
            assert value == "nofollow noopener"
    lowered = html.lower()
    assert "<script" not in lowered and "javascript:" not in lowered.replace("&", "")


@pytest.mark.parametrize("markup", HOSTILE)
def test_hostile_markup_is_defused(markup: str) -> None:
    cleaned = sanitize_rich_text(markup)
    assert_harmless(cleaned)
    # Sanitising twice changes nothing: editing an agenda keeps it stable.
    assert sanitize_rich_text(cleaned) == cleaned


def test_allowed_formatting_and_links_survive() -> None:
    cleaned = sanitize_rich_text(
        "<p><strong>굵게</strong> <em>기울임</em></p><ul><li>하나</li></ul>"
        '<a href="https://www.mofa.go.kr/">외교부</a> 참고 https://example.kr/a?b=1'
    )
    assert "<strong>굵게</strong>" in cleaned and "<li>하나</li>" in cleaned
    assert '<a href="https://www.mofa.go.kr/" rel="nofollow noopener" target="_blank">' in cleaned
    assert '<a href="https://example.kr/a?b=1" rel="nofollow noopener"' in cleaned


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *HOSTILE,
                "<p>",
                "</p>",
                "<a href='",
                "https://x.kr",
                '">',
                "'",
                "<",
                ">",
                "onload=",
                " ",
                "글",
                "<!--",
                "-->",
                "<![CDATA[",
                "]]>",
                "&lt;",
                "&#",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_mix_of_hostile_fragments_is_defused(markup: str) -> None:
    assert_harmless(sanitize_rich_text(markup))


@pytest.mark.django_db
@pytest.mark.parametrize("markup", HOSTILE)
def test_hostile_descriptions_are_harmless_on_the_agenda_page(markup: str) -> None:
    org = OrganisationFactory()
    host = UserFactory(role=User.Role.FACILITATOR, organisation=org)
    agenda = services.agenda_create(
        actor=host, organisation=org, title="의제", description=f"<p>앞</p>{markup}<p>뒤</p>"
    )
    assert_harmless(agenda.description_html)
    html = Client().get(f"/agendas/{agenda.pk}/").content.decode()
    body = html.split('<div class="rich-text">', 1)[1].split("</div>", 1)[0]
    assert_harmless(body)
    assert "앞" in body
