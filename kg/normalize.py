"""The matching view of a text: simplified Chinese, half-width forms, one line break.

Every change is one character for one character, so an offset in the matching view is
the same offset in the original text. OpenCC converts phrases; where a phrase would
change the length, we fall back to converting character by character and keep any
character whose conversion is not a single character.
"""
from __future__ import annotations

import re
from functools import lru_cache

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FULLWIDTH[ord("\r")] = ord("\n")
# Dash and bracket variants that notices mix freely: one form for matching.
_FULLWIDTH.update({ord(a): ord(b) for a, b in zip("〈〉＜＞", "<><>")})


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified, guaranteed to keep the length."""
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


_NEEDS_TRANSLATION = re.compile("[\uff01-\uff5e\u3000\r〈〉＜＞]")


# The last whole notice's view: a build's worker asks for each notice's view twice in a
# row (its extraction, then its copy signature, kg.copies) with the same string object.
_last: tuple[str | None, str] = (None, "")


def normalize(text: str) -> str:
    """The matching view: same length as `text`, offsets shared."""
    global _last
    last = _last  # read once: kg serve normalizes in threads
    if text is last[0]:
        return last[1]
    whole = text
    if _NEEDS_TRANSLATION.search(text):  # most notices have no full-width forms at all
        text = text.translate(_FULLWIDTH)
    view = to_simplified(text)
    if len(whole) > 2000:
        _last = (whole, view)
    return view
