"""Text normalisation shared by everything residents type."""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings/overrides/isolates, zero-width characters and BOM: they let one
# nickname impersonate another or reorder what readers see.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """NFC-normalise and strip control, bidi-override and zero-width characters.

    Newlines and tabs survive in multi-line text (as plain newlines); in single-line
    text (nicknames, titles) every line break becomes a space so it cannot forge a
    log line or a second row.
    """
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in value:
        if ch == "\n" or ch == "\t":
            out.append(ch if multiline else " ")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in "\u2028\u2029":
            continue
        else:
            out.append(ch)
    text = "".join(out)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()
