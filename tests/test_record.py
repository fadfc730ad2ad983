"""Every record validates against the shipped schema and every span quotes its source."""
from __future__ import annotations

import jsonschema
import pytest

from kg.schema import load_json, validate_record


def facts(node):
    """Every dict in a record that carries a span."""
    if isinstance(node, dict):
        if "span" in node:
            yield node
        for value in node.values():
            yield from facts(value)
    elif isinstance(node, list):
        for value in node:
            yield from facts(value)


def test_every_record_validates(records):
    for record in records.values():
        validate_record(record)


def test_schema_rejects_a_broken_record(records):
    broken = dict(records["000"], published="20 August 2024")
    with pytest.raises(jsonschema.ValidationError):
        validate_record(broken)


def test_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(load_json("extraction.schema.json"))


@pytest.mark.parametrize("doc", ["000", "001", "002", "003", "004"])
def test_spans_round_trip(records, seed_files, doc):
    path = next(p for p in seed_files if p.name.startswith(doc))
    text = path.read_text(encoding="utf-8")
    found = list(facts(records[doc]))
    assert len(found) > 20
    for fact in found:
        start, end = fact["span"]
        assert text[start:end] == fact["raw"], fact
        assert fact["rule"]


def test_every_fact_names_a_rule_from_a_known_family(records):
    families = {"issuer", "inspection", "published", "title", "citations", "problems", "stated_totals", "framework",
                "statistics", "contacts"}
    for record in records.values():
        for fact in facts(record):
            assert fact["rule"].split(".")[0] in families, fact["rule"]
