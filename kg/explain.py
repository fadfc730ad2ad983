"""Why is this node or edge here? Its provenance, quoted from the source documents."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from kg import feeds
from kg.corpus import locate
from kg.errors import InputError, counted
from kg.extract.layout import sentence_bounds
from kg.graph import abbreviate, model
from kg.normalize import normalize
from kg.read import read_source


@dataclass
class Evidence:
    source: str | None
    span: list[int]
    rule: str
    quote: str
    context: str | None  # the quote in its sentence, when the document is still readable
    url: str | None = None  # the page the document was read from, where it was read from the web


@dataclass
class Fact:
    what: str  # "Regulation 中国共产党纪律处分条例" or "CITES Document:notice.txt → Regulation:…"
    evidence: list[Evidence] = field(default_factory=list)
    shown: int | None = None  # for a kind of relationship cut at the limit: how many are shown
    total: int | None = None  # … of how many
    more: int = 0  # pieces of its own evidence the limit left out


def _node_query(label: str) -> str:
    fields = ["key"] + [p for p in ("title", "name") if p in model().nodes[label]]
    return f"MATCH (n:{label}) WHERE " + " OR ".join(f"n.{f} = $text" for f in fields) + " RETURN n.key, n.provenance"


def _match(rel_type: str, side: str) -> str:
    """Relationships r of `rel_type` whose `side` ("from" or "to") is node n; o the other end."""
    spec = model().relationships[rel_type]
    a, b = ("n", "o") if side == "from" else ("o", "n")
    return f"MATCH ({a}:{spec['from']})-[r:{rel_type}]->({b}:{spec['to']}) WHERE n.key = $key "


def _relationship_query(rel_type: str, side: str) -> str:
    return _match(rel_type, side) + "RETURN o.key, r.provenance ORDER BY o.key LIMIT $limit"


def _count_query(rel_type: str, side: str) -> str:
    return _match(rel_type, side) + "RETURN count(r)"


SOURCES = "MATCH (d:Document) RETURN d.key, d.source, d.url"
ISSUERS = "MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) RETURN d.key, o.name"
# Titles and names that contain the text asked for: suggestions when nothing matches exactly.
SIMILAR = ("MATCH (n:Regulation) WHERE n.title CONTAINS $text RETURN n.title AS name, n.key AS key "
           "UNION MATCH (n:Organization) WHERE n.name CONTAINS $text RETURN n.name AS name, n.key AS key")
# Problems that may raise a theme (kg explain THEME); their stored themes decide.
THEME_PROBLEMS = ("MATCH (p:Problem)-[:RAISED_IN]->(d:Document) WHERE p.text CONTAINS $text "
                  "RETURN p.key, p.text, p.themes, p.provenance ORDER BY p.key")
# A notice by its Document key or by any of its sources (file name or SHA-256), and its copies.
NOTICE_OF = ("MATCH (c:Copy)-[:COPY_OF]->(d:Document) WHERE d.key = $text OR d.source = $text OR c.key = $text "
             "OR c.sha256 = $text OR c.key ENDS WITH $tail RETURN DISTINCT d.key")
COPIES = ("MATCH (c:Copy)-[:COPY_OF]->(d:Document) WHERE d.key = $key "
          "RETURN c.source, c.sha256, c.url, c.similarity ORDER BY c.similarity DESC, c.source")


@dataclass
class Copies:
    notice: str  # the Document's key
    source: str | None  # the source the Document names
    copies: list[tuple[str, str, str | None, int]]  # (source, sha256, url, similarity %)


def copies(store, text: str) -> list[Copies]:
    """The notices `text` names (a Document's key or source, a copy's source, its file
    name alone, or its SHA-256)
    and every source of each (kg.copies grouped them), the most similar first."""
    out = []
    names = Sources(store).names
    for (doc,) in store.query(NOTICE_OF, {"text": text, "tail": "/" + text})[1]:
        rows = [tuple(r) for r in store.query(COPIES, {"key": doc})[1]]
        out.append(Copies(doc, names.get(doc), rows))
    return out


def explain_statements() -> list[tuple[str, dict]]:
    """Every statement explain() may run, with sample parameters (for checking them)."""
    m = model()
    out = [(SOURCES, {}), (ISSUERS, {}), (NOTICE_OF, {"text": "x", "tail": "/x"}), (COPIES, {"key": "x"}), (SIMILAR, {"text": "x"}), (THEME_PROBLEMS, {"text": "x"})]
    out += [(_node_query(label), {"text": "x"}) for label in m.nodes]
    out += [(_relationship_query(t, side), {"key": "x", "limit": 1}) for t in m.relationships for side in ("from", "to")]
    out += [(_count_query(t, side), {"key": "x"}) for t in m.relationships for side in ("from", "to")]
    return out


def theme(store, text: str, limit: int = 50) -> list[Fact]:
    """A problem theme (kg trends --themes): the problems whose theme words include it,
    at most `limit` of them, and how many there are."""
    from kg.themes import problem_terms

    sources = Sources(store)
    rows = [(key, prov) for key, body, stored, prov in store.query(THEME_PROBLEMS, {"text": normalize(text)})[1]
            if normalize(text) in problem_terms(body, stored)]
    if not rows:
        return []
    evidence = [e for _, prov in rows[:limit] for e in _evidence(json.loads(prov or "[]"), sources)]
    facts = [Fact(f"Theme {normalize(text)}: {counted(len(rows), 'problem')}", evidence)]
    if len(rows) > limit:
        facts.append(Fact(f"Theme: {limit} of {len(rows)} problems shown", shown=limit, total=len(rows)))
    return facts


def similar(store, text: str, limit: int = 5) -> list[str]:
    """Titles and names containing `text` (simplified), for a 'did you mean'."""
    rows = store.query(SIMILAR, {"text": normalize(text)})[1]
    return sorted({name for name, _ in rows}, key=len)[:limit]


def explain(store, text: str, limit: int = 50) -> list[Fact]:
    """Every node whose key, title or name is `text` (traditional forms read as simplified),
    and every relationship touching it: at most `limit` of each kind, and of each one's
    evidence, with the totals."""
    m = model()
    facts: list[Fact] = []
    sources = Sources(store)
    issuers = dict(store.query(ISSUERS)[1])

    def name(label: str, key: str, sep: str = ":") -> str:
        # A document by its file and organization, not its hash; other nodes by their key.
        if label != "Document":
            return f"{label}{sep}{key}"
        return f"{label}{sep}{sources.names.get(key) or key}" + (f" ({issuers[key]})" if key in issuers else "")

    for label in m.nodes:
        for key, prov in store.query(_node_query(label), {"text": normalize(text)})[1]:
            facts.append(_fact(name(label, key, " "), prov, sources, limit))
            for rel_type, spec in m.relationships.items():
                for side, other in (("from", "to"), ("to", "from")):
                    if spec[side] != label:
                        continue
                    rows = store.query(_relationship_query(rel_type, side), {"key": key, "limit": limit})[1]
                    for other_key, rel_prov in rows:
                        ends = (name(label, key), name(spec[other], other_key))
                        if side == "to":
                            ends = ends[::-1]
                        facts.append(_fact(f"{rel_type} {ends[0]} → {ends[1]}", rel_prov, sources, limit))
                    if len(rows) == limit:
                        total = store.query(_count_query(rel_type, side), {"key": key})[1][0][0]
                        if total > limit:
                            facts.append(Fact(f"{rel_type}: {limit} of {total} shown", shown=limit, total=total))
    return facts


_texts: dict[str, str | None] = {}
TEXTS_KEPT = 2000  # texts kept read (a long-running kg serve would otherwise keep every notice)


_texts_lock = threading.Lock()  # kg serve reads texts from several threads at once


def text_of(doc: str, source: str | None) -> str | None:
    """The document's text if its file still holds the same bytes."""
    with _texts_lock:
        if doc in _texts:
            return _texts[doc]
    try:
        d = read_source(source) if source else None
    except InputError:
        d = None
    text = d.text if d and d.sha256 == doc else None
    with _texts_lock:
        while len(_texts) >= TEXTS_KEPT:
            del _texts[next(iter(_texts))]  # the first read first
        _texts[doc] = text
    return text


class Sources:
    """Each document's source name (kg.corpus) and where its file is now, by the roots the
    store's build recorded, whatever folder kg runs in."""

    def __init__(self, store):
        rows = store.query(SOURCES)[1]
        self.names: dict[str, str] = {doc: name for doc, name, _ in rows}
        self.urls: dict[str, str] = {doc: url for doc, _, url in rows if url}
        info = store.build_info()
        self.roots: dict[str, str] = info.get("roots") or {}
        feeds.set_fields(info.get("fields") or {})  # a feed's items are read back as the build read them

    def path(self, doc: str) -> str | None:
        name = self.names.get(doc)
        return locate(name, self.roots) if name else None

    def text(self, doc: str) -> str | None:
        return text_of(doc, self.path(doc))


def _fact(what: str, prov_json: str | None, sources: Sources, limit: int) -> Fact:
    """A node or relationship with at most `limit` pieces of its evidence (a node keeps up
    to 100: --limit is what a reader asked to see of each), and how many more there are."""
    entries = json.loads(prov_json or "[]")
    return Fact(what, _evidence(entries[:limit], sources), more=max(0, len(entries) - limit))


def _evidence(entries: list[dict], sources: Sources) -> list[Evidence]:
    out = []
    for e in entries:
        source = sources.names.get(e["doc"])
        text = sources.text(e["doc"])
        start, end = e["span"]
        context = None
        if start == end == 0 and not e["quote"]:  # a notice as a whole: read, or counted by a derived fact
            context = "(the notice as a whole)"
        elif text is None:
            context = f"{e['quote']}  (not quoted in its sentence: {sources.path(e['doc']) or source} is gone or changed)"
        elif text is not None and abbreviate(text[start:end]) == e["quote"]:  # the document is unchanged
            s_start, s_end = sentence_bounds(text, start, end)  # the whole sentence, as the README says
            s_end = max(s_end, end)
            context = text[s_start:start] + "【" + text[start:end] + "】" + text[end:s_end]
            context = context.replace("\n", " ").strip()
        out.append(Evidence(source, e["span"], e["rule"], e["quote"], context, sources.urls.get(e["doc"])))
    return out
