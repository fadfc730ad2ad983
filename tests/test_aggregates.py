"""Counts made at build time (CO_CITED, ORGANIZATION_CITES, Problem.organization) give the
named queries the answers the walk through every notice gives: the queries as they were
before the counts (tests/reference_queries) are run on the same store and compared, on
the seeds and on 1 000 notices generated from them (bench/make_corpus.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.backends.embedded import EmbeddedStore
from kg.cocitation import CoCitations
from kg.queries import named


REFERENCE = Path(__file__).parent / "reference_queries"
AGGREGATED = sorted(p.stem for p in REFERENCE.glob("*.cypher"))


@pytest.fixture(scope="module")
def generated_store(generated) -> EmbeddedStore:
    return generated(1000)[1]


def answers(store: EmbeddedStore, cypher: str, params: dict) -> list[tuple]:
    """Rows as a sorted list, lists inside them sorted (collect() has no order)."""
    _, rows = store.query(cypher, params)
    return sorted(tuple(tuple(sorted(v)) if isinstance(v, list) else v for v in row) for row in rows)


def parameter_sets(store: EmbeddedStore, name: str) -> list[dict]:
    query = named(name)
    defaults = query.bind({})
    sets = [defaults]
    if "organization" in defaults:  # one organization, the one with the most problems
        _, rows = store.query("MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(d:Document) "
                              "RETURN o.name, count(d) AS n ORDER BY n DESC, o.name LIMIT 1")
        sets.append({**defaults, "organization": rows[0][0]})
    for p in ("min_documents", "min_organizations"):
        if p in defaults:
            sets.append({**defaults, p: 3})
    if "limit" in defaults:
        sets.append({**defaults, "limit": 7})
    return sets


@pytest.mark.parametrize("name", AGGREGATED)
def test_counted_queries_answer_as_the_walk_through_notices_on_the_seeds(seed_store, name):
    reference = (REFERENCE / f"{name}.cypher").read_text(encoding="utf-8")
    for params in parameter_sets(seed_store, name):
        expected = answers(seed_store, reference, params)
        assert answers(seed_store, named(name).cypher, params) == expected, params
    assert answers(seed_store, named(name).cypher, named(name).bind({}))  # something to compare


@pytest.mark.parametrize("name", AGGREGATED)
def test_counted_queries_answer_as_the_walk_through_notices_on_1000_notices(generated_store, name):
    reference = (REFERENCE / f"{name}.cypher").read_text(encoding="utf-8")
    for params in parameter_sets(generated_store, name):
        expected = answers(generated_store, reference, params)
        assert expected, params
        assert answers(generated_store, named(name).cypher, params) == expected, params


def test_co_citations_count_each_notice_once_and_name_the_first_by_hash():
    counted = CoCitations()
    counted.add("d3", ["a", "b", "c", "a"])  # a title cited twice in one notice counts once
    counted.add("d1", ["b", "a"])
    counted.add("d2", ["c", "d"])
    pairs = {(a, b): (n, first) for a, b, n, first in counted.pairs()}
    assert pairs == {("a", "b"): (2, "d1")}  # (a, c), (b, c), (c, d): one notice each
    assert list(counted.pairs(keep=lambda key: key != "a")) == []
