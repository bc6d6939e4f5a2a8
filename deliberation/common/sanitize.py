"""The project's one sanitising module: every piece of user HTML passes here.

Rich text (agenda descriptions, proposals) keeps a small allowlist of tags; plain
text (statements) is escaped and only its links become clickable. Links always get
``rel="nofollow noopener"`` and only http(s) and mailto schemes survive.
"""

from __future__ import annotations

from collections.abc import MutableMapping

import bleach
from bleach.linkifier import Linker

RICH_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "a", "h3", "h4"}
)
RICH_ATTRIBUTES = {"a": ["href", "title", "rel"]}
PROTOCOLS = frozenset({"http", "https", "mailto"})


def _set_rel(
    attrs: MutableMapping[tuple[str | None, str], str], new: bool = False
) -> MutableMapping[tuple[str | None, str], str]:
    href_key: tuple[str | None, str] = (None, "href")
    href = attrs.get(href_key, "")
    if not href.startswith(("http://", "https://", "mailto:")):
        # A link with no safe target keeps its text but loses its href.
        attrs.pop(href_key, None)
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    attrs[(None, "target")] = "_blank"
    return attrs


_rich_cleaner = bleach.Cleaner(
    tags=RICH_TAGS,
    attributes=RICH_ATTRIBUTES,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(callbacks=[_set_rel], parse_email=True)


def sanitize_rich_text(html: str) -> str:
    """Keep the allowlisted tags, drop everything else, make links safe and clickable."""
    cleaned = _rich_cleaner.clean(html or "")
    return _linker.linkify(cleaned)


def linkify_plain_text(text: str) -> str:
    """Escape plain text completely, then turn its URLs into safe links."""
    escaped = bleach.clean(text or "", tags=set(), strip=False)
    return _linker.linkify(escaped)


def strip_all_markup(html: str) -> str:
    """Plain text of a sanitised fragment, for digests, exports and search."""
    return bleach.clean(html or "", tags=set(), strip=True)
