"""Undoing the spellings people use to slip insults past filters, before classifying.

``normalise`` turns ``시1발``, ``씨@발``, ``시 발``, ``ㅅㅣㅂㅏㄹ``, ``시I발``, ``씨이이발`` and
``ㅆl발`` into the plain spelling the model saw in training, and leaves ordinary text
readable: inserted digits and symbols are dropped only between Hangul, spaces only
between single Hangul syllables, Latin look-alikes are read as jamo only next to Hangul,
and split jamo are recombined only where they form a syllable.
"""

from __future__ import annotations

import re
import unicodedata

from deliberation.analysis.normalise import collapse_repeats

MAX_CHARS = 2_000

# Compatibility jamo (ㄱ..ㅎ, ㅏ..ㅣ) in the order of Unicode's syllable formula.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
_INITIAL_INDEX = {ch: i for i, ch in enumerate(_INITIALS)}
_VOWEL_INDEX = {ch: i for i, ch in enumerate(_VOWELS)}
_FINAL_INDEX = {ch: i for i, ch in enumerate(_FINALS) if ch}
_COMPOUND_VOWELS = {
    ("ㅗ", "ㅏ"): "ㅘ",
    ("ㅗ", "ㅐ"): "ㅙ",
    ("ㅗ", "ㅣ"): "ㅚ",
    ("ㅜ", "ㅓ"): "ㅝ",
    ("ㅜ", "ㅔ"): "ㅞ",
    ("ㅜ", "ㅣ"): "ㅟ",
    ("ㅡ", "ㅣ"): "ㅢ",
}
# Latin letters and digits that look like jamo, read as jamo only beside Hangul.
_LOOK_ALIKES = {
    "l": "ㅣ",
    "I": "ㅣ",
    "|": "ㅣ",
    "1": "ㅣ",
    "i": "ㅣ",
    "o": "ㅇ",
    "O": "ㅇ",
    "0": "ㅇ",
    "H": "ㅐ",
    "E": "ㅌ",
    "L": "ㄴ",
    "r": "ㅏ",
    "F": "ㅑ",
    "T": "ㅜ",
    "π": "ㅠ",
}
# Whole words typed with the Korean keyboard in Latin mode (the 2-set layout): the
# common insults, spelled as a Korean reader types them.
_LATIN_TYPED = {
    "tlqkf": "시발",
    "tlqk": "시바",
    "Tlqkf": "씨발",
    "qudtls": "병신",
    "wlfkf": "지랄",
    "whssk": "존나",
    "rotoRl": "개새끼",
    "roTlqkf": "개씨발",
    "ekrcu": "닥쳐",
    "alcls": "미친",
}

_HANGUL = r"[\uac00-\ud7a3\u3131-\u318e]"
_JAMO = r"[\u3131-\u318e]"
# Digits, punctuation and symbols wedged between two Hangul characters (시1발, 씨@발,
# 병.신, 개_새끼); at most three, so "3시 30분" or a list "가, 나" is left alone.
_WEDGED = re.compile(rf"(?<={_HANGUL})(?:[\d_]|[^\w\s]){{1,3}}(?={_HANGUL})")
_SPACED_JAMO = re.compile(rf"({_JAMO})[ \t]+(?={_JAMO})")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_SPACES = re.compile(r"\s+")
_NOT_JAMO = re.compile(r"[^\u3131-\u318e]+")


def _fold_width(text: str) -> str:
    """NFKC (full-width letters, digits and symbols) everywhere but on compatibility
    jamo, which NFKC would turn into conjoining jamo and glue into syllables."""
    return _NOT_JAMO.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _look_alikes(text: str) -> str:
    """Latin and digit look-alikes inside Hangul: read as jamo after a lone consonant
    (ㅅl발 -> ㅅㅣ발), dropped as filler between two syllables (시I발 -> 시발)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _LOOK_ALIKES and out:
            prev = out[-1]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if prev in _INITIAL_INDEX and _LOOK_ALIKES[ch] in _VOWEL_INDEX:
                out.append(_LOOK_ALIKES[ch])
                continue
            if _is_syllable(prev) and _is_syllable(nxt):
                continue
        out.append(ch)
    return "".join(out)


def _is_syllable(ch: str) -> bool:
    return len(ch) == 1 and 0xAC00 <= ord(ch) <= 0xD7A3


def compose_jamo(text: str) -> str:
    """Recombine split jamo into syllables: ``ㅅㅣㅂㅏㄹ`` -> ``시발``, ``ㅂㅕㅇ신`` -> ``병신``.

    A run of initials alone (ㅅㅂ, ㅋㅋ) stays as it is: it is an abbreviation, not a split.
    """
    chars = list(text)
    out: list[str] = []
    i = 0
    n = len(chars)
    while i < n:
        ch = chars[i]
        if ch in _INITIAL_INDEX and i + 1 < n and chars[i + 1] in _VOWEL_INDEX:
            vowel = chars[i + 1]
            j = i + 2
            if j < n and (vowel, chars[j]) in _COMPOUND_VOWELS:
                vowel = _COMPOUND_VOWELS[(vowel, chars[j])]
                j += 1
            final = ""
            if (
                j < n
                and chars[j] in _FINAL_INDEX
                and not (j + 1 < n and chars[j + 1] in _VOWEL_INDEX)
            ):
                final = chars[j]
                j += 1
            code = (_INITIAL_INDEX[ch] * 21 + _VOWEL_INDEX[vowel]) * 28 + (
                _FINAL_INDEX[final] if final else 0
            )
            out.append(chr(0xAC00 + code))
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _join_spaced_syllables(text: str) -> str:
    """``시 발 놈아`` -> ``시발 놈아``: runs of single Hangul syllables are one word."""
    out: list[str] = []
    run: list[str] = []
    for token in text.split(" "):
        if len(token) == 1 and _is_syllable(token):
            run.append(token)
            continue
        if run:
            out.append("".join(run) if len(run) > 1 else run[0])
            run = []
        out.append(token)
    if run:
        out.append("".join(run))
    return " ".join(out)


def normalise(text: str) -> str:
    """The plain spelling of a statement, for the classifier and the trigger lexicon."""
    text = _fold_width(unicodedata.normalize("NFC", text or "")[:MAX_CHARS])
    text = _LATIN_WORD.sub(lambda m: _LATIN_TYPED.get(m.group(0), m.group(0)), text)
    # NFKC leaves Hangul composed; split jamo typed as conjoining jamo become compatibility
    # jamo through NFKC as well, so one composition pass covers both.
    text = _look_alikes(text)
    text = _WEDGED.sub("", text)
    text = _SPACED_JAMO.sub(r"\1", text)
    text = compose_jamo(text)
    text = collapse_repeats(text)
    text = _collapse_drawn_out(text)
    text = _SPACES.sub(" ", text).strip()
    return _join_spaced_syllables(text).lower()


# A syllable drawn out with a vowel-only syllable or a bare vowel (씨이이발, 씨ㅣㅣ발,
# 조오온나): the filler repeats the previous syllable's vowel.
_FILLER = {v: chr(0xAC00 + (11 * 21 + _VOWEL_INDEX[v]) * 28) for v in _VOWELS}


def _collapse_drawn_out(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if out:
            prev = ord(out[-1]) - 0xAC00
            if 0 <= prev < 11172:
                vowel = _VOWELS[(prev // 28) % 21]
                here = ord(ch) - 0xAC00
                # Only after an open syllable (씨이, 조오): 남아, 먹어 keep their ending.
                open_syllable = prev % 28 == 0
                if open_syllable and ((ch == _FILLER[vowel] and out[-1] != ch) or ch == vowel):
                    continue
                # 조+온 -> 존: a filler syllable carrying a final lends it to the syllable.
                if (
                    prev % 28 == 0
                    and 0 <= here < 11172
                    and here % 28
                    and (chr(0xAC00 + here - here % 28) == _FILLER[vowel])
                ):
                    out[-1] = chr(0xAC00 + prev + here % 28)
                    continue
        out.append(ch)
    return "".join(out)
