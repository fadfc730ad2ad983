"""Rebuilds that cost what changed: `kg build` on a store whose notices mostly stand.

The files given are compared with those of the last build (size and modification time;
a file that differs is read, and its hash decides). For the notices added, edited or
removed, and only for them:
- their own rows (Document, Problem, Measure and the relationships that hang on them)
  are deleted from a copy of the database, found by primary key, and the new ones
  created (UNWIND … CREATE: a COPY into a large table costs a second or more however
  few its rows);
- every shared node or relationship they state (an organization, a regulation, an
  ORGANIZATION_CITES count …) is recomputed from the statements of all the notices that
  still state it (kg.statements), exactly as a full build computes it (kg.bulk.shared_row);
- the CO_CITED pairs they cite are recounted from the regulations each notice cites.
The copy's counts must equal the previous counts plus what was written minus what was
deleted, every recomputed shared node must read back as computed and every recomputed
shared relationship be there once, before the copy replaces the store
(kg.backends.embedded.EmbeddedStore.revise). The result equals a full build of
the same files (tested on the seeds and on 1 000 generated notices).
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import kg
from kg.bulk import Packed, copy_rows, csv_line, csv_rows, document_line, shared_row
from kg.cache import code_fingerprint
from kg.cocitation import MIN_DOCUMENTS, co_cited
from kg.copies import Grouping, groups
from kg.graph import Node, Relationship, model
from kg.resolve import DERIVED
from kg.corpus import Corpus
from kg.feeds import split
from kg.statements import COPY_INFO, FILE, Statements

# Past this share of notices added, edited or removed, a full build is about as quick.
MOST_CHANGED = 0.25


@dataclass
class Changes:
    """What the files given differ in from the last build, by file."""
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    # The notices whose rows go, and those whose rows come: edited ones in both, and every
    # notice whose copies (kg.copies) changed, or whose Document now names another source.
    docs_removed: set[str] = field(default_factory=set)
    packs: dict[str, Packed] = field(default_factory=dict)
    placed: dict[str, list] = field(default_factory=dict)  # notice of packs → its sources and their kg.copies.Place
    copies: int = 0  # sources that are copies of another's notice, after the build
    unread: list[str] = field(default_factory=list)  # sources a notice must name that could not be read again
    curated_of: dict[str, list[int]] = field(default_factory=dict)  # source → curation lines that changed its record
    curated: Counter = field(default_factory=Counter)  # curation line → sources it changed (kg.build.BuildReport)


class StoreView(Protocol):
    """What revise reads of the store before changing it."""

    def rows(self, label: str, keys: list[str]) -> dict[str, dict]: ...

    def keys_named(self, label: str, name: str) -> list[str]: ...


@dataclass
class Revision:
    """What an incremental build does to the store, computed before it touches it."""
    local_nodes: dict[str, list[str]]  # label → keys of the per-notice nodes deleted (with their relationships)
    delete_nodes: dict[str, list[str]] = field(default_factory=dict)  # label → keys (detached first)
    # type → (start key, end key, key)
    delete_relationships: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    set_nodes: dict[str, list[dict]] = field(default_factory=dict)  # label → the key and changed columns of nodes
    # table → new rows (CREATE'd: a COPY into a large table costs a second or more)
    create: dict[str, list[dict]] = field(default_factory=dict)
    expected: tuple[Counter, Counter] = field(default_factory=lambda: (Counter(), Counter()))  # the counts after it
    check: dict[str, dict[str, dict]] = field(default_factory=dict)  # label → key → row, read back after it
    check_relationships: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # there once each
    written: Counter = field(default_factory=Counter)  # "nodes"/"relationships" → rows written
    deleted: Counter = field(default_factory=Counter)


def previous_statements(store, extractor: str, curation=None) -> tuple[Statements | None, str | None]:
    """(the statements of the store's current build, None) if an incremental build can
    start from them (with `curation`, a kg.curation.Curation, applied), else (None, why not)."""
    path = store.path / FILE
    info = store.build_info()
    if info.get("imported_from"):
        return None, f"the store was imported from {info['imported_from']}"
    if info.get("model_version") != model().version or info.get("extractor") != extractor:
        return None, "the extractor or the graph model changed since the last build"
    if info.get("kg_version") != kg.__version__:
        return None, (f"it was built by kg {info.get('kg_version') or 'older than 0.1.0'}, "
                      f"this is kg {kg.__version__}")
    if info.get("code") != code_fingerprint():
        return None, "kg's code that shapes the store's rows changed since the last build"
    wanted = curation.digest if curation is not None else None
    if info.get("curation_digest") != wanted:
        return None, ("a curation file is applied" if info.get("curation_digest") is None
                      else "the curation file's decisions changed since the last build" if wanted
                      else "the last build applied a curation file")
    statements = Statements(path) if path.exists() else None
    if statements is None or statements.build_id != info.get("build_id"):
        if statements is not None:
            statements.close()
        return None, "the store's last build left nothing to compare with (built by an older kg, or interrupted)"
    return statements, None


def file_state(path: str) -> tuple[int, int]:
    """(size, mtime) of a notice's file; for an item of a feed or web archive, of the file
    holding it: its items are then read again (through the cache) and their hash decides."""
    st = os.stat(split(path)[0])
    return st.st_size, st.st_mtime_ns


def find_changes(sources: list[str], corpus: Corpus, statements: Statements, read: Callable[[list[str]], list[Packed]],
                 tick: Callable[..., None] = lambda n=1: None, curation=None
                 ) -> tuple[Changes, dict[str, tuple[int, int, str]], set[str]] | None:
    """Changes, and what the source table needs after them: the rows that differ (name →
    size, mtime, hash) and the names to forget; None where more than MOST_CHANGED of the
    files differ. Files are known by their names in `corpus` (kg.corpus), not by the
    paths typed. `read(paths)` reads notices (through the cache) and returns their packed
    graphs, named; failures are its to report. `tick(n)` counts the files found unchanged
    without reading them."""
    known = statements.sources()
    path_of = {corpus.name(path): path for path in sources}
    names = list(path_of)
    state = {name: file_state(path) for name, path in path_of.items()}
    doc_of = {name: known[name][2] for name in names if name in known and known[name][:2] == state[name]}
    # An item of a feed that changed is known by name and hash: every item of the feed differs
    # by the file's state, but only its hash (read through the cache) says whether it changed.
    items = sum(1 for name in names if name not in doc_of and name in known and split(path_of[name])[1] is not None)
    if len(names) - len(doc_of) - items + len(set(known) - set(names)) > MOST_CHANGED * len(names):
        return None  # so many files differ that a full build is the quicker: read nothing here
    tick(len(doc_of))
    packs: dict[str, Packed] = {}  # source name → its packed graph, for those read

    def read_into(wanted: list[str]) -> None:
        for packed in read([path_of[name] for name in wanted]):
            doc_of[packed.source] = packed.doc
            packs.setdefault(packed.source, packed)

    read_into([name for name in names if name not in doc_of])
    changes = Changes()
    for name in names:
        if name not in doc_of:
            continue  # failed to read: reported, left out
        if name not in known:
            changes.added.append(name)
        elif known[name][2] != doc_of[name]:
            changes.changed.append(name)
        else:
            changes.unchanged += 1
    changes.removed = sorted(set(known) - set(names))
    if items and len(changes.added) + len(changes.changed) + len(changes.removed) > MOST_CHANGED * len(names):
        return None  # the feeds' items changed after all: their records are cached for the full build
    before = statements.copies()
    read_into([name for name in names if name in doc_of and name not in packs and name not in before])
    # Every source placed again, in order, as a full build places them: one added, edited or
    # removed may change which notice a later source copies, or which source a notice names.
    grouping = Grouping(curation)
    placed = {}
    for name in names:
        if name in doc_of:
            src = packs[name].copy if name in packs else before[name][0]
            placed[name] = (src, grouping.place(doc_of[name], src))
            changes.curated_of[name] = packs[name].curated if name in packs else before[name][2]
            changes.curated.update(changes.curated_of[name])  # as a full build counts them: every source read
    if curation is not None:
        changes.curated.update(curation.apart_effect())
    old, new = groups((src, place) for src, place, _ in before.values()), groups(placed.values())
    dirty = {doc for doc in old.keys() | new.keys() if _members(old.get(doc)) != _members(new.get(doc))}
    changes.docs_removed = dirty & old.keys()
    named = {doc: new[doc][0][0].source for doc in dirty & new.keys()}  # the source each Document names
    read_into([name for name in named.values() if name not in packs])
    changes.unread = sorted(name for name in named.values() if name not in packs)
    for doc, name in named.items():
        if name in packs:
            copies = new[doc][1:]
            dates = [src.published for src, _ in copies if src.published is not None]
            rows, text = packs[name].csv["Document"]
            changes.packs[doc] = replace(packs[name], csv={**packs[name].csv, "Document": (
                rows, document_line(text, min(dates) if dates else None))})
            changes.placed[doc] = new[doc]
    changes.copies = len(placed) - len(new)
    table = {name: (*state[name], doc) for name, doc in doc_of.items()}
    return changes, {name: row for name, row in table.items() if known.get(name) != row}, set(known) - set(table)


def _members(members: list | None) -> list | None:
    """What a notice's Document and Copy rows are made of: its sources, in order, with where
    each stands and what its Copy node says."""
    if members is None:
        return None
    return [(src.source, *(getattr(src, f) for f in COPY_INFO), tuple(place)) for src, place in members]


def revise(statements: Statements, changes: Changes, store: StoreView, counts: tuple[dict, dict],
           curation=None, applied_before: set[int] = frozenset()) -> Revision:
    """Update `statements` (inside its open transaction) and work out the Revision. With
    `curation`, each kept entity's same_as is as the decisions now applied make it, and
    the entities named by a decision that starts or stops applying are recomputed too."""
    m = model()
    removed, packs = changes.docs_removed, changes.packs
    affected = statements.items_of(removed) | {item for packed in packs.values() for item in packed.statements.items}
    existed = {table: statements.endpoints(table, [k for t, k in affected if t == table]) for table in m.relationships}
    cited_before = statements.cited(removed)
    local_deleted, local_nodes = statements.local(removed)
    copies_gone = statements.copies_of(removed)
    if copies_gone:  # their Copy nodes, beside the Copy node each notice has of its own source
        local_nodes.setdefault("Copy", []).extend(copies_gone)
        local_deleted.update({"Copy": len(copies_gone), "COPY_OF": len(copies_gone)})
    statements.remove(removed)
    for packed in packs.values():
        statements.add(packed)
    for members in changes.placed.values():
        for src, place in members:
            statements.add_copy(src, place, changes.curated_of.get(src.source, []))
    statements.flush()
    applied = set(changes.curated)
    same_as = None
    if curation is not None:
        same_as = lambda label, row: curation.same_as(label, row, applied, row.get("same_as"))  # noqa: E731
        for label, name in curation.naming(applied ^ set(applied_before)):  # started or stopped applying
            affected |= {(label, key) for key in store.keys_named(label, name)}
    by_table: dict[str, list[str]] = {}
    for table, key in affected:
        by_table.setdefault(table, []).append(key)
    revision = Revision(local_nodes)
    delta = Counter()  # table → rows after minus rows before
    regulations: dict[str, dict] = {}  # recomputed Regulation rows (for CO_CITED)
    retitled: set[str] = set()
    for table, keys in sorted(by_table.items()):
        keys.sort()
        if table in m.nodes:
            before = store.rows(table, keys)
            for key in keys:
                row, old = node_row(statements, table, key, same_as), before.get(key)
                if row is None:
                    if old is not None:
                        revision.delete_nodes.setdefault(table, []).append(key)
                        delta[table] -= 1
                    continue
                revision.check.setdefault(table, {})[key] = row
                if table == "Regulation":
                    regulations[key] = row
                    if old is not None and (old["title"], old["kind"]) != (row["title"], row["kind"]):
                        retitled.add(key)
                if old is None:
                    revision.create.setdefault(table, []).append(row)
                    delta[table] += 1
                elif old != row:  # only what changed: LadybugDB logs, and checkpoints, each column set
                    revision.set_nodes.setdefault(table, []).append(
                        {c: v for c, v in row.items() if c == "key" or v != old.get(c)})
        else:
            _replace_relationships(revision, delta, existed[table], table,
                                   {key: relationship_row(statements, table, key) for key in keys})
    pairs = _co_cited_pairs(statements, cited_before, packs, retitled)
    involved = sorted({r for pair in pairs for r in pair} - set(regulations))
    known = {**store.rows("Regulation", involved), **regulations}
    counted = {rel.key: rel.row() for rel in co_cited(lambda key: known[key], _Counted(statements, pairs))}
    ends = {f"{a}|{b}": (a, b) for pair in pairs for a, b in (pair, pair[::-1])}  # either order may be stored
    found = statements.co_cited(ends)
    _replace_relationships(revision, delta, {key: ends[key] for key in found}, "CO_CITED",
                           {key: counted.get(key) for key in ends})
    statements.set_co_cited(counted, removed=found)
    for packed in packs.values():
        for table, (rows, text) in packed.csv.items():
            revision.create.setdefault(table, []).extend(csv_rows(table, text))
            delta[table] += rows
    for members in changes.placed.values():
        for src, place in members[1:]:
            for table, row in copy_rows(src, place):  # as text, like the rows above: one type a column
                revision.create.setdefault(table, []).extend(csv_rows(table, csv_line([row.get(c) for c in m.columns(table)])))
                delta[table] += 1
    delta.subtract(local_deleted)
    revision.expected = (Counter({t: counts[0].get(t, 0) + delta[t] for t in m.nodes}),
                         Counter({t: counts[1].get(t, 0) + delta[t] for t in m.relationships}))
    copied = {t: len(rows) for t, rows in revision.create.items()}
    revision.written["nodes"] = sum(n for t, n in copied.items() if t in m.nodes) + sum(map(len, revision.set_nodes.values()))
    revision.written["relationships"] = sum(n for t, n in copied.items() if t in m.relationships)
    revision.deleted["nodes"] = sum(map(len, revision.delete_nodes.values())) + sum(
        n for t, n in local_deleted.items() if t in m.nodes)
    revision.deleted["relationships"] = sum(map(len, revision.delete_relationships.values())) + sum(
        n for t, n in local_deleted.items() if t in m.relationships)
    return revision


def _replace_relationships(revision: Revision, delta: Counter, existing: dict[str, tuple[str, str]], rel_type: str,
                           rows: dict[str, dict | None]) -> None:
    """The `existing` relationships (key → start and end keys) are deleted; those of `rows`
    with a row (not None) are COPY'd."""
    revision.check_relationships.setdefault(rel_type, []).extend(
        (row["from"], row["to"], key) for key, row in sorted(rows.items()) if row is not None)
    if existing:
        revision.delete_relationships[rel_type] = [(*existing[key], key) for key in sorted(existing)]
    delta[rel_type] -= len(existing)
    for key in sorted(rows):
        if rows[key] is not None:
            revision.create.setdefault(rel_type, []).append(rows[key])
            delta[rel_type] += 1


def node_row(statements: Statements, label: str, key: str, same_as=None) -> dict | None:
    """The row a full build writes for a shared node, from every notice's statements (and
    `same_as(label, row)`, the curation's same_as, where given)."""
    props = statements.node_properties(label, key)
    if props is None:
        return None
    row = _row(statements, label, Node(label, key, props))
    if same_as is not None and "same_as" in row:
        row["same_as"] = same_as(label, row)
    return row


def relationship_row(statements: Statements, rel_type: str, key: str) -> dict | None:
    """As node_row, for a shared relationship: its properties as the notice with the
    smallest hash states them."""
    stated = statements.first_rel_statement(rel_type, key)
    if stated is None:
        return None
    spec = model().relationships[rel_type]
    start, end, props = stated
    rel = Relationship(rel_type, key, (spec["from"], start), (spec["to"], end), props)
    return _row(statements, rel_type, rel)


def _row(statements: Statements, table: str, item: Node | Relationship) -> dict:
    return shared_row(table, item, statements.kept_evidence(table, item.key),
                      lambda field: statements.distinct_evidence(table, item.key, field), DERIVED)


def _co_cited_pairs(statements: Statements, cited_before: dict[str, list[str]], packs: dict[str, Packed],
                    retitled: set[str]) -> set[tuple[str, str]]:
    """Every pair of regulations whose CO_CITED row may change: those a removed or added
    notice cites together, and every pair with a regulation whose title or kind changed
    (it decides the pair's order and whether it counts)."""
    pairs: set[tuple[str, str]] = set()
    for regs in [*cited_before.values(), *(p.cited for p in packs.values())]:
        regs = sorted(set(regs))
        pairs.update((a, b) for i, a in enumerate(regs) for b in regs[i + 1:])
    for reg, docs in statements.citing(retitled).items():
        for regs in statements.cited(docs).values():
            pairs.update(tuple(sorted((reg, other))) for other in set(regs) if other != reg)
    return pairs


class _Counted:
    """The counts of some pairs, read from the notices citing both (what kg.cocitation's
    CoCitations gives for every pair)."""

    def __init__(self, statements: Statements, pairs: set[tuple[str, str]]):
        self.statements, self.wanted = statements, pairs

    def pairs(self, keep: Callable[[str], bool] = lambda key: True):
        citing = self.statements.citing({r for pair in self.wanted for r in pair})
        for a, b in sorted(self.wanted):
            if keep(a) and keep(b):
                both = citing[a] & citing[b]
                if len(both) >= MIN_DOCUMENTS:
                    yield a, b, len(both), min(both)


def describe(changes: Changes) -> str:
    return (f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed, "
            f"{changes.unchanged} unchanged")
