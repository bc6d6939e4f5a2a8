"""Text fit to leave the room: the one cleaning every digest string passes through."""

from __future__ import annotations

import html
import re

from deliberation.common.privacy import mask_personal_data
from deliberation.common.sanitize import strip_all_markup

_SPACES = re.compile(r"\s+")


def clean_for_digest(text: str, *, limit: int | None = None) -> str:
    """Plain text fit to leave the room: no markup, no personal data, one line.

    Angle brackets left after stripping (a resident writing "a < b", or escaped
    markup) become full-width brackets, so no export (Markdown passes raw HTML
    through) can ever turn them back into a tag.
    """
    text = html.unescape(strip_all_markup(text or ""))
    text = text.replace("<", "\uff1c").replace(">", "\uff1e")
    text = mask_personal_data(_SPACES.sub(" ", text).strip())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
