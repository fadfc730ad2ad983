"""Document → extraction record. One module per kind of fact; this registry runs them.

Each extractor takes a Context (the document, its matching view, and the fields the
extractors before it filled) and returns the value of one record field. Order matters
only where a field reads an earlier one: the inspection's committee needs the issuer's
region; citation kinds need the issuer's organization; statistics skip cited titles.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.extract.context import Context
    from kg.model import Document

RECORD_VERSION = 1


@lru_cache(maxsize=1)
def extractors() -> list[tuple[str, Callable[[Context], object]]]:
    """(record field, extractor) in the order they run. Imported on first use: `import kg`
    (and so every kg command, `kg --help` too) must not compile the extractors' patterns."""
    from kg.extract import citations, contacts, header, inspection, issuer, problems, stats

    return [
        ("title", header.title),
        ("doc_type", header.doc_type),
        ("issuer", issuer.issuer),
        ("inspection", inspection.inspection),
        ("published", header.published),
        ("citations", citations.citations),
        ("problems", problems.problems),
        ("stated_totals", problems.stated_totals),
        ("statistics", stats.statistics),
        ("contacts", contacts.contacts),
    ]


def extract(doc: Document) -> dict:
    """The extraction record of one document (see schema/extraction.schema.json)."""
    from kg.extract.context import Context

    ctx = Context(doc)
    for name, extractor in extractors():
        ctx.record[name] = extractor(ctx)
    facts = ctx.record
    evidence = {}
    for name in ("title", "published"):
        if facts[name] is not None:
            evidence[name] = {k: v for k, v in facts[name].items() if k != "value"}
    return {
        "record_version": RECORD_VERSION,
        "source": doc.source,
        "sha256": doc.sha256,
        "encoding": doc.encoding,
        "media_type": doc.media_type,
        "url": doc.url,
        "fetched": doc.fetched,
        "length": len(doc.text),
        "doc_type": facts["doc_type"]["value"],
        "title": facts["title"]["value"] if facts["title"] else None,
        "published": facts["published"]["value"] if facts["published"] else None,
        "issuer": facts["issuer"],
        "inspection": facts["inspection"],
        "problems": facts["problems"],
        "stated_totals": facts["stated_totals"],
        "citations": facts["citations"],
        "statistics": facts["statistics"],
        "contacts": facts["contacts"],
        "warnings": ctx.warnings,
        "evidence": {**evidence, "doc_type": {"rule": facts["doc_type"]["rule"]}},
    }
