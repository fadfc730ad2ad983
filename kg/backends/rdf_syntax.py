"""RDF syntaxes written as a stream: each chunk of triples (one node or relationship, from
kg.backends.rdf.Mapper) is written as it comes, so memory stays bounded whatever the
size of the store and every syntax runs at about the speed of N-Triples.

- N-Triples: one line per triple.
- Turtle, TriG: the prefixes once up front, then one `s p o ; p o .` statement per
  subject of a chunk (TriG inside one named graph).
- JSON-LD: a fixed @context (the prefixes) and an @graph array of one node object per
  subject of a chunk; a subject that comes back in a later chunk (a node starting a
  relationship) is another object with the same @id, which JSON-LD merges.

Literals are escaped as N-Triples escapes them (\\" \\\\ \\n \\r, other control
characters as \\uXXXX), which Turtle and TriG read too; JSON-LD strings by json.dumps.
An IRI holding a character an IRI cannot (space, < > " { } | ^ ` \\, controls) is an
error rather than a broken file; the mapper percent-encodes keys, so only a bad base
IRI can get there, and it refuses that first.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TextIO

from rdflib import RDF, Literal, URIRef

from kg.errors import KgError

NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_ECHAR = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# The local names written as prefix:local: a plain ASCII subset of Turtle's PN_LOCAL
# (no escapes, no dots, no % — a percent-encoded key stays a full IRI).
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CACHE_LIMIT = 100_000  # formatted IRIs kept: the vocabulary and recent subjects, never the whole store


def _escape(match: re.Match) -> str:
    c = match.group()
    return _ECHAR.get(c) or f"\\u{ord(c):04X}"


def quoted(text: str) -> str:
    """A string literal's lexical form in double quotes, escaped (N-Triples, Turtle)."""
    return f'"{_TO_ESCAPE.sub(_escape, text)}"' if _TO_ESCAPE.search(text) else f'"{text}"'


class Terms:
    """RDF terms → their text in one syntax; IRIs compacted with `prefixes` if given."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        # Longest namespace first, so that a namespace inside another is matched by the longer one.
        self.prefixes = sorted((prefixes or {}).items(), key=lambda kv: -len(kv[1]))
        self._iris: dict[str, str] = {}
        self._predicates: dict[str, str] = {}  # a few dozen; rdf:type is Turtle's `a`
        if prefixes:
            self._predicates[RDF.type] = "a"  # keyed by the URIRef: a URIRef never equals a plain str

    def predicate(self, iri: str) -> str:
        text = self._predicates.get(iri)
        if text is None:
            text = self._predicates[iri] = self.iri(iri)
        return text

    def compact(self, iri: str) -> str | None:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and _LOCAL.fullmatch(iri, len(namespace)):
                return f"{prefix}:{iri[len(namespace):]}"
        return None

    def iri(self, iri: str) -> str:
        text = self._iris.get(iri)
        if text is None:
            if NOT_IN_IRI.search(iri):
                raise KgError(f"not writable as an IRI (it holds a space, a control character or one of <>\"{{}}|^`\\): {iri!r}")
            text = self.compact(iri) or f"<{iri}>"
            if len(self._iris) >= _CACHE_LIMIT:
                self._iris.clear()
            self._iris[iri] = text
        return text

    def term(self, term) -> str:
        if isinstance(term, URIRef):
            return self.iri(term)
        if isinstance(term, Literal):
            text = quoted(str(term))
            if term.language:
                return f"{text}@{term.language}"
            if term.datatype is not None:
                return f"{text}^^{self.iri(term.datatype)}"
            return text
        raise KgError(f"no RDF term for {term!r}")  # the mapper makes IRIs and literals only


def _by_subject(triples: Iterable[tuple]) -> dict:
    grouped: dict = {}
    for s, p, o in triples:
        grouped.setdefault(s, []).append((p, o))
    return grouped


def write_nt(chunks: Iterator[list[tuple]], out: TextIO) -> None:
    t = Terms().term
    for chunk in chunks:
        out.write("".join(f"{t(s)} {t(p)} {t(o)} .\n" for s, p, o in chunk))


def write_turtle(chunks: Iterator[list[tuple]], out: TextIO, prefixes: dict[str, str], graph: str | None = None) -> None:
    """Turtle; with `graph` (an IRI), TriG: every triple in that named graph."""
    terms = Terms(prefixes)
    t, pred = terms.term, terms.predicate
    out.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes.items()) + "\n")
    if graph is not None:
        out.write(f"{terms.iri(graph)} {{\n")
    for chunk in chunks:
        blocks = []
        for s, pairs in _by_subject(chunk).items():
            body = " ;\n    ".join(f"{pred(p)} {t(o)}" for p, o in pairs)
            blocks.append(f"{t(s)}\n    {body} .\n")
        out.write("".join(blocks) + "\n")
    if graph is not None:
        out.write("}\n")


def write_jsonld(chunks: Iterator[list[tuple]], out: TextIO, prefixes: dict[str, str]) -> None:
    """JSON-LD in compacted form with a fixed @context: one node object per subject,
    spelled out piece by piece (json's own string encoder) rather than built as dicts."""
    terms = Terms(prefixes)
    enc = json.encoder.encode_basestring  # a JSON string, escaped, non-ASCII kept (what json.dumps writes)

    def name(iri: str) -> str:  # compact, else the full IRI; refused as the other syntaxes refuse it
        text = terms.iri(iri)
        return enc(text[1:-1] if text[0] == "<" else text)

    def value(o) -> str:
        if isinstance(o, URIRef):
            return f'{{"@id":{name(o)}}}'
        if not isinstance(o, Literal):
            raise KgError(f"no RDF term for {o!r}")
        if o.language:
            return f'{{"@value":{enc(str(o))},"@language":{enc(o.language)}}}'
        if o.datatype is not None:
            return f'{{"@value":{enc(str(o))},"@type":{name(o.datatype)}}}'
        return f'{{"@value":{enc(str(o))}}}'

    out.write('{"@context":' + json.dumps(prefixes, ensure_ascii=False) + ',\n"@graph":[')
    first = True
    for chunk in chunks:
        objects = []
        for s, pairs in _by_subject(chunk).items():
            types, by_predicate = [], {}
            for p, o in pairs:
                if p == RDF.type and isinstance(o, URIRef):
                    types.append(name(o))
                else:
                    by_predicate.setdefault(p, []).append(value(o))
            members = [f'"@id":{name(s)}']
            if types:
                members.append(f'"@type":[{",".join(types)}]')
            members += [f'{name(p)}:[{",".join(values)}]' for p, values in by_predicate.items()]
            objects.append("{" + ",".join(members) + "}")
        if objects:
            out.write(("\n" if first else ",\n") + ",\n".join(objects))
            first = False
    out.write("\n]}\n")
