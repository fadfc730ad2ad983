"""Extraction on real notices other than the seeds (the dev corpus and its gold facts),
and `kg coverage`, which tells a user where extraction is blind."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kg.schema import validate_record
from tests.cli import kg
from tests.conftest import REPO, SEEDS

SHARED = REPO.parent / "shared"
DEV = Path(os.environ.get("KG_DEV_CORPUS", SHARED / "corpus" / "dev"))
SCORER = SHARED / "tools" / "score_extraction.py"
needs_dev = pytest.mark.skipif(not (DEV / "gold.json").exists() or not SCORER.exists(),
                               reason=f"the dev corpus and its scorer are not at {DEV} (set KG_DEV_CORPUS)")


@pytest.fixture(scope="module")
def dev_records(tmp_path_factory) -> tuple[Path, list[dict]]:
    if not (DEV / "gold.json").exists():
        pytest.skip(f"no dev corpus at {DEV}")
    out = tmp_path_factory.mktemp("dev") / "dev.jsonl"
    result = kg("extract", *sorted(str(p) for p in DEV.glob("*.txt")), "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    return out, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@needs_dev
def test_dev_corpus_scores(dev_records):
    """Citation F1 ≥ 0.97 and field accuracy ≥ 0.95 against the gold facts."""
    out, records = dev_records
    for record in records:
        validate_record(record)
    result = subprocess.run([sys.executable, str(SCORER), str(DEV / "gold.json"), str(DEV), str(out),
                             "--min", "0.97", "--min-fields", "0.95"], capture_output=True, text=True)
    print(result.stdout)
    assert result.returncode == 0, result.stdout


@needs_dev
def test_dev_corpus_spans_point_at_their_text(dev_records):
    _, records = dev_records
    for record in records:
        text = Path(record["source"]).read_text(encoding="utf-8")
        for part in ("issuer", "inspection"):
            for ev in ((record[part] or {}).get("evidence") or {}).values():
                assert text[ev["span"][0]:ev["span"][1]] == ev["raw"], record["source"]
        for w in record["warnings"]:
            assert text[w["span"][0]:w["span"][1]] == w["raw"]


def _coverage(*paths) -> dict:
    result = kg("coverage", *map(str, paths), "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_coverage_of_the_seeds(seed_files, records):
    report = _coverage(SEEDS)
    assert report["notices"] == 5
    facts = {f["fact"]: f for f in report["facts"]}
    rectifications = sum(r["doc_type"] == "rectification" for r in records.values())
    for name in ("issuer", "organization", "region"):
        assert (facts[name]["found"], facts[name]["of"]) == (5, 5)
    # Facts of the inspection count over the notices that answer one.
    for name in ("team", "committee", "start", "end", "feedback"):
        assert facts[name]["of"] == rectifications
        assert facts[name]["found"] == sum(bool((r["inspection"] or {}).get(name)) for r in records.values())
    published = [r["source"] for r in records.values() if not r["published"]]
    assert facts["published"]["found"] == 5 - len(published)
    assert sorted(facts["published"]["missing"]) == sorted(published)


@needs_dev
def test_coverage_of_the_dev_corpus(dev_records):
    _, records = dev_records
    report = _coverage(DEV)
    assert report["notices"] == len(records)
    for fact in report["facts"]:
        assert 0 <= fact["found"] <= fact["of"]
        if fact["share"] >= 0.5:  # the files missing an expected fact are named
            assert len(fact["missing"]) == fact["of"] - fact["found"]
    expected = Counter(w["rule"] for r in records for w in r["warnings"])
    assert report["warnings"] == dict(expected)
    assert report["notices_with_warnings"] == sum(bool(r["warnings"]) for r in records)
    # Names kept to their notice are listed: one entry per notice whose issuer is not placed.
    from kg.resolve import organization_resolved

    unplaced = sorted((r["source"], r["issuer"]["organization"]) for r in records
                      if r["issuer"] and not organization_resolved(r["issuer"]))
    assert unplaced and sorted((u["source"], u["name"]) for u in report["unresolved"]["organization"]) == unplaced
    table = kg("coverage", str(DEV))
    out = table.stdout.decode()
    assert table.returncode == 0
    assert "Not found where most notices have it" in out and "inspection.committee_unplaced" in out
    assert "Unresolved names, kept to their notice" in out


def test_coverage_of_nothing_is_an_error(tmp_path):
    result = kg("coverage", str(tmp_path))
    assert result.returncode == 1
    assert "no notice" in result.stderr.decode()
