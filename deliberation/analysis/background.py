"""General Korean as the background keywords are weighed against.

A first session on a fresh installation has no corpus of its own to say which of its
nouns are ordinary Korean ("사람", "생각") and which name its subject ("자매도시",
"교환학생"). The background is the Korean word-frequency list that ships inside the
``wordfreq`` package (Robyn Speer et al., Apache-2.0 code, CC BY-SA 4.0 data, built
from Wikipedia, subtitles, news, web text and more), read from the installed package:
nothing is downloaded. Words the list does not know count as rare, but no rarer than
the rarest words it does know, so a typo cannot outrank the subject.
"""

from __future__ import annotations

from functools import lru_cache

# The rarest frequency in wordfreq's small Korean list is about 1e-6.
RARE = 1e-6


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    # get_frequency_dict reads the packaged list directly; word_frequency() would
    # need a MeCab tokenizer for Korean, which Madang does not install.
    return dict(get_frequency_dict("ko", wordlist="small"))


def general_frequency(term: str) -> float:
    """How often ``term`` occurs in general Korean, per token (at least ``RARE``).

    A noun phrase ("청년 일자리") is as common as its rarer word: a phrase is never
    rarer than its parts, so it outranks them only when residents use it as often.
    """
    table = _frequencies()
    words = term.split()
    if not words:
        return RARE
    return max(RARE, min(table.get(w, 0.0) for w in words))
