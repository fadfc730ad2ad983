"""Titles in 《》: what is cited, what kind of text it is, and what was done with it.

Three passes, like a legal-citation extractor:
1. find every 《…》 (and titles nested inside with <> or 〈〉) with its span;
2. classify each title and read the action from its clause (学习 → studied …);
3. resolve short forms: 《X》(以下简称《Y》) makes later 《Y》 point to X, and
   "两个《条例》" points to the last two 条例 cited before it. A short form that
   cannot be resolved keeps alias_of null; it is never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.data import load
from kg.extract.context import Context
from kg.extract.issuer import organization_forms
from kg.extract.layout import cn_number

MAX_TITLE = 120
BRACKETS = re.compile(r"[《》<>\n]")
CLAUSE_BREAK = re.compile(r"[,。;:!?\n]")
ENUMERATION_GAP = re.compile(r"[、和及与以及,\s]*")
ALIAS_DEFINITION = re.compile(r"\s*\(\s*(?:以下|下)?简称\s*《([^》]{1,30})》\s*\)")
PLURAL = re.compile(r"(两|二|三|四|五|几|\d)(?:个|部|项)$")
TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}(?:—(?:19|20)\d{2})?年度?")

# Longest first, so that 学习贯彻 wins over 贯彻 and 修订完善 over 完善.
ACTIONS = [
    ("studied", ["学习宣传贯彻", "学习贯彻", "原文学习", "专题学习", "集体学习", "学习", "研读", "传达", "宣讲", "解读"]),
    ("issued", ["研究制定", "制定下发", "制定印发", "制定出台", "制定", "出台", "印发", "下发", "编制", "编发", "起草"]),
    ("revised", ["修订完善", "修订", "修改", "完善"]),
    ("enforced", ["贯彻落实", "严格执行", "执行", "落实", "贯彻", "对照", "按照", "依照", "依据", "遵照", "遵守", "实施", "按"]),
]
_ACTION_OF = {verb: action for action, verbs in ACTIONS for verb in verbs}
ACTION_VERB = re.compile("|".join(sorted(_ACTION_OF, key=len, reverse=True)))
AFTER_ACTION = re.compile(r"[^,。;:]{0,12}?(学习|执行|落实)")
# 制定《X条例》学习宣传贯彻工作方案: the verb governs the document named after the title.
TITLE_AS_MODIFIER = re.compile(r"[^,。;:《]{0,14}?(方案|办法|细则|计划|意见|通知|安排|要点)")


@dataclass
class Title:
    start: int  # span of the whole 《…》 in the text
    end: int
    inner_start: int
    inner_end: int
    nested: bool = False
    children: list = field(default_factory=list)


def find_titles(norm: str) -> list[Title]:
    """Every balanced 《…》 and every <…> inside one, in order of their opening mark.

    A title does not cross a line; an unbalanced mark is skipped."""
    found: list[Title] = []
    stack: list[tuple[int, str]] = []
    for m in BRACKETS.finditer(norm):  # only the marks matter; skip the prose between them
        i, ch = m.start(), m.group()
        if ch == "\n":
            stack.clear()
        elif ch == "《" or (ch == "<" and stack):
            stack.append((i, ch))
        elif ch in "》>" and stack:
            opener = "《" if ch == "》" else "<"
            while stack and stack[-1][1] != opener:
                stack.pop()  # an unclosed inner mark
            if not stack:
                continue
            start, _ = stack.pop()
            if 0 < i - start - 1 <= MAX_TITLE:
                found.append(Title(start, i + 1, start + 1, i, nested=bool(stack)))
    found.sort(key=lambda t: t.start)
    return found


def normalize_title(inner: str) -> str:
    """The matching form of a title: simplified already; nested marks as 〈〉, no spaces."""
    inner = re.sub(r"\s+", "", inner)
    return inner.replace("《", "〈").replace("》", "〉").replace("<", "〈").replace(">", "〉")


def classify(title: str, org_forms: list[str]) -> tuple[str, str]:
    """(kind, rule) for a normalized title."""
    return _classify(title, tuple(org_forms))


@lru_cache(maxsize=65536)
def _classify(title: str, org_forms: tuple[str, ...]) -> tuple[str, str]:
    data = load("regulations.json")
    core = title
    while TRAILING_NOTE.search(core) and TRAILING_NOTE.sub("", core):
        core = TRAILING_NOTE.sub("", core)
    suffixes = data["suffixes"]

    def ends(kind):
        return any(core.endswith(s) for s in suffixes[kind])

    if core in data["party_regulations"] or any(core.endswith(p) for p in data["party_regulations"]):
        return "party_regulation", "kind.central_party_list"
    if ends("law") and not ends("not_law"):
        return "law", "kind.suffix_law"
    unprefixed = LEADING_YEAR.sub("", core)
    if any(unprefixed.startswith(f) for f in org_forms):
        return "internal_rule", "kind.own_organization"
    if ends("party_regulation") or (ends("regulation") and any(m in core for m in data["party_markers"])):
        return "party_regulation", "kind.party_regulation"
    if ends("regulation"):
        return "regulation", "kind.suffix_regulation"
    if ends("internal_rule"):
        return "internal_rule", "kind.suffix_internal"
    if ends("normative_document"):
        return "normative_document", "kind.suffix_normative"
    return "not_regulation", "kind.no_regulation_suffix"


def _action(norm: str, clause_start: int, title: Title) -> str | None:
    # A verb before 的 describes the title (新修订的《条例》), it is not what was done.
    verbs = [v for v in ACTION_VERB.finditer(norm, clause_start, title.start) if norm[v.end() : v.end() + 1] != "的"]
    return _ACTION_OF[verbs[-1].group()] if verbs else None


def citations(ctx: Context) -> list[dict]:
    norm = ctx.norm
    org_forms = organization_forms(ctx.record.get("issuer"))
    titles = find_titles(norm)
    defined_at: dict[tuple[int, int], str] = {}  # span of 《Y》 in (以下简称《Y》) → full title
    for t in titles:
        d = ALIAS_DEFINITION.match(norm, t.end)
        if d and not t.nested:
            defined_at[(d.start(1) - 1, d.end(1) + 1)] = normalize_title(norm[t.inner_start : t.inner_end])

    out: list[dict] = []
    aliases: dict[str, str] = {}
    runs: list[list[dict]] = []  # enumerations of outer titles sharing one verb
    previous = None
    for t in titles:
        title = normalize_title(norm[t.inner_start : t.inner_end])
        record = ctx.fact(t.start, t.end, "citations.nested_title" if t.nested else "citations.title_marks", title=title)
        kind, kind_rule = classify(title, org_forms)
        alias_of, alias_rule = _resolve_short_form(norm, t, title, defined_at, aliases, out)
        if alias_of:
            kinds = {c["kind"] for c in out if c["title"] in alias_of}
            if len(kinds) == 1:
                kind, kind_rule = kinds.pop(), alias_rule
        action = None
        if not t.nested and alias_rule != "citations.alias_definition":
            if previous is not None and ENUMERATION_GAP.fullmatch(norm, previous.end, t.start):
                action = runs[-1][-1]["action"]
                runs[-1].append(record)
            else:
                breaks = list(CLAUSE_BREAK.finditer(norm, max(0, t.start - 60), t.start))
                clause_start = breaks[-1].end() if breaks else max(0, t.start - 60)
                action = None if TITLE_AS_MODIFIER.match(norm, t.end) else _action(norm, clause_start, t)
                runs.append([record])
            previous = t
        record.update(kind=kind, kind_rule=kind_rule, action=action, alias_of=alias_of)
        if alias_rule:
            record["alias_rule"] = alias_rule
        out.append(record)

    for run in runs:  # 将《A》《B》纳入…学习: the verb follows the enumeration
        if run[0]["action"] is None:
            after = AFTER_ACTION.match(norm, run[-1]["span"][1])
            if after:
                for c in run:
                    c["action"] = _ACTION_OF[after.group(1)]
    return out


def _resolve_short_form(norm, t: Title, title, defined_at, aliases, earlier) -> tuple[list[str] | None, str | None]:
    """(alias_of, rule) for a short form, or (None, None)."""
    if (t.start, t.end) in defined_at:
        aliases[title] = defined_at[(t.start, t.end)]
        return [aliases[title]], "citations.alias_definition"
    if title in aliases:
        return [aliases[title]], "citations.alias_use"
    if title in load("regulations.json")["generic_short_forms"]:
        plural = PLURAL.search(norm, max(0, t.start - 3), t.start)
        n = cn_number(plural.group(1)) if plural and plural.group(1) != "几" else None
        if n:
            full = [c["title"] for c in earlier if c["title"].endswith(title) and c["title"] != title and not c["alias_of"]]
            referents = list(dict.fromkeys(reversed(full)))[:n]
            if len(referents) == n:
                return list(reversed(referents)), "citations.plural_back_reference"
    return None, None
