"""Lines and numbered headings of a notice.

Official documents number their outline 一、 > (一) > 1. > (1) > ①, and list items
一是…二是…; a notice that lists its problems one by one may number them 问题1: 问题2:.
A marker counts only at the start of a line; inside a paragraph 一是 is just prose.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PARENTHESIZED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"


def cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 12 → 12, ③ → 3, ⑶ → 3; None if not a number below 1000."""
    if s.isdigit() and s.isascii():
        return int(s)
    if len(s) == 1 and s in CIRCLED + PARENTHESIZED:
        return (CIRCLED + PARENTHESIZED).index(s) % 20 + 1
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current if s else None


CN = "一二三四五六七八九十"
# (level, marker regex). The marker's group 1 is the number.
MARKERS = [
    (1, re.compile(rf"([{CN}]+)\s*[、.]")),
    (2, re.compile(rf"\(\s*([{CN}]+)\s*\)")),
    (3, re.compile(r"(\d{1,3})\s*(?:[、.](?!\d)|\s)")),
    (4, re.compile(rf"\(\s*(\d{{1,3}})\s*\)|([{PARENTHESIZED}])")),
    (5, re.compile(rf"([{CN}]+)\s*是")),
    (6, re.compile(rf"([{CIRCLED}])")),
    (7, re.compile(rf"问题\s*(\d{{1,3}}|[{CN}]+)\s*[::、.]")),
]


def sentence_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """(first, after last) of the sentence holding text[start:end]: between 。 or line
    breaks, the closing 。 included."""
    end = start if end is None else end
    left = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    rights = [i for i in (text.find("。", end), text.find("\n", end)) if i >= 0]
    return left, (min(rights) + 1 if rights else len(text))


@dataclass
class Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    text: str  # normalized text of the line, stripped


@dataclass
class Heading:
    level: int
    number: int | None  # None: a heading the text does not number (关于“…”问题 on a line of its own)
    label: str  # the marker as written: "一、", "(一)", "1.", "一是"
    line: Line
    body_start: int  # offset where the text after the marker begins

    @property
    def text(self) -> str:
        """The line after its marker."""
        return self.line.text[self.body_start - self.line.start :]

    @property
    def title(self) -> str:
        """The heading's first sentence (a heading line may carry a paragraph)."""
        text = self.text
        cut = text.find("。")
        return text[:cut] if cut > 0 else text


def lines(norm: str) -> list[Line]:
    """Non-empty lines of the normalized text, with their offsets."""
    out = []
    for m in re.finditer(r"[^\n]+", norm):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Line(m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def heading_of(line: Line) -> Heading | None:
    """The outline marker a line starts with, if any."""
    for level, pattern in MARKERS:
        m = pattern.match(line.text)
        if m:
            number = cn_number(next(g for g in m.groups() if g))
            rest = line.text[m.end() :]
            if number is None or not rest.strip():
                continue
            return Heading(level, number, m.group().strip(), line, line.start + m.end())
    return None
