"""Curation a user controls: same-as and keep-apart decisions in a file, applied at every
build, explained, and refused with file and line when they cannot be applied."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.curation import CurationError, load
from tests.cli import kg
from tests.conftest import SEEDS, seed
from tests.variants import insert_after_line

TRIAL = "中国共产党支部工作条例(试行)"
FINAL = "中国共产党支部工作条例"
DISCIPLINE = "中国共产党纪律处分条例"
KNOWN = ["中国共产党党组工作条例", DISCIPLINE, "党政领导干部选拔任用工作条例", "关于新形势下党内政治生活的若干准则"]


@pytest.fixture
def corpus(tmp_path, seed_files) -> Path:
    """The seeds, and a copy of seed 003 (another organization than seed 000, which cites
    the trial version) edited to cite the final 《中国共产党支部工作条例》, in the sentence
    seed 000 uses."""
    notices = tmp_path / "notices"
    notices.mkdir()
    for path in seed_files:
        shutil.copy(path, notices / path.name)
    sentence = "整改情况:支委成员原文学习《中国共产党支部工作条例》《关于新形势下党内政治生活的若干准则》等党内制度法规。"
    edited = insert_after_line(seed("003").read_text(encoding="utf-8"), "一、整改工作基本情况", sentence)
    (notices / "003-final.txt").write_text(edited, encoding="utf-8")
    return tmp_path


def run(corpus: Path, *args):
    """kg in the corpus folder (where a kg-curation.toml is found by default)."""
    exe = Path(sys.executable).with_name("kg")
    return subprocess.run([str(exe), *args], cwd=corpus, capture_output=True, timeout=300)


def recurring(corpus: Path) -> list[str]:
    result = run(corpus, "query", "--db", "c.kg", "--name", "recurring-regulations", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    return sorted(row["title"] for row in json.loads(result.stdout))


def build(corpus: Path, *args) -> str:
    result = run(corpus, "build", "notices", "--db", "c.kg", *args)
    assert result.returncode == 0, result.stderr.decode()
    return result.stderr.decode()


def test_same_as_then_keep_apart_change_what_recurs_and_explain_says_why(corpus):
    build(corpus)
    assert recurring(corpus) == sorted(KNOWN)

    said = run(corpus, "curate", "same-as", "Regulation", FINAL, TRIAL, "--why", "one regulation for our question")
    assert said.returncode == 0, said.stderr.decode()
    summary = build(corpus)  # kg-curation.toml here is applied by default
    assert "curation kg-curation.toml: 1 of 1 decision took effect" in summary
    assert "0 extracted, 6 cached" in summary  # a curation change re-resolves, never re-extracts
    assert recurring(corpus) == sorted([*KNOWN, FINAL])
    explained = run(corpus, "explain", "--db", "c.kg", FINAL).stdout.decode()
    assert "[curation.same-as kg-curation.toml:4: one regulation for our question]" in explained
    assert run(corpus, "explain", "--db", "c.kg", TRIAL).returncode == 1  # merged away

    seed_002 = f"notices/{seed('002').name}"
    said = run(corpus, "curate", "keep-apart", "Regulation", DISCIPLINE, "--doc", seed_002, "--why", "2018 revision")
    assert said.returncode == 0, said.stderr.decode()
    assert "2 of 2 decisions took effect" in build(corpus)
    assert recurring(corpus) == sorted([*(k for k in KNOWN if k != DISCIPLINE), FINAL])
    explained = run(corpus, "explain", "--db", "c.kg", DISCIPLINE).stdout.decode()
    assert "[curation.keep-apart kg-curation.toml:10: 2018 revision]" in explained
    assert f"Regulation {DISCIPLINE}|apart:" in explained

    # Decisions travel to worker processes too: two workers build the same curated graph.
    single = recurring(corpus)
    build(corpus, "--workers", "2")
    assert recurring(corpus) == single

    listed = json.loads(run(corpus, "curate", "list", "--format", "json").stdout)
    assert [x["decision"] for x in listed] == ["same-as", "keep-apart"]
    # The notice kept apart cites the same title: no suggestion merges it straight back.
    suggested = json.loads(run(corpus, "curate", "suggest", "--db", "c.kg", "--format", "json").stdout)
    assert not [r for r in suggested if DISCIPLINE in (r["keep"], r["merge"])], suggested


def test_the_readme_story_on_the_seeds(tmp_path):
    """The README's commands on the seeds alone: the same-as renames the one citation of the
    trial version (no other seed cites either, so it does not recur); the keep-apart ends
    the recurrence of 纪律处分条例; suggest proposes nothing, before or after."""
    assert run(tmp_path, "build", str(SEEDS), "--db", "c.kg").returncode == 0
    for args in (("same-as", "Regulation", FINAL, TRIAL), ("keep-apart", "Regulation", DISCIPLINE, "--doc",
                                                            str(seed("002")), "--db", "c.kg")):
        assert run(tmp_path, "curate", *args, "--why", "story").returncode == 0
    assert "2 of 2 decisions took effect" in run(tmp_path, "build", str(SEEDS), "--db", "c.kg").stderr.decode()
    assert recurring(tmp_path) == sorted(k for k in KNOWN if k != DISCIPLINE)
    assert "[curation.same-as kg-curation.toml:4: story]" in run(tmp_path, "explain", "--db", "c.kg", FINAL).stdout.decode()
    assert json.loads(run(tmp_path, "curate", "suggest", "--db", "c.kg", "--format", "json").stdout) == []


def test_every_backend_sees_the_curated_graph(corpus):
    (corpus / "kg-curation.toml").write_text(
        f'[[same-as]]\nlabel = "Regulation"\nkeep = "{FINAL}"\nmerge = "{TRIAL}"\nwhy = "one"\n', encoding="utf-8")
    build(corpus)
    turtle = corpus / "c.ttl"
    assert run(corpus, "export", "c.kg", "--out", str(turtle)).returncode == 0
    from urllib.parse import quote

    from rdflib import Graph
    from rdflib.namespace import OWL

    g = Graph().parse(turtle)
    same = [(str(s), str(o)) for s, o in g.subject_objects(OWL.sameAs)]
    assert same == [(same[0][0], same[0][1])]
    assert same[0][0].endswith("/regulation/" + quote(FINAL, safe=""))
    assert same[0][1].endswith("/regulation/" + quote(TRIAL, safe=""))
    assert run(corpus, "validate", str(turtle)).returncode == 0
    # From the notices directly (what kg load neo4j uses), the same curated graph.
    from kg.build import graph_from_paths
    from kg.curation import load as load_curation
    from kg.read import collect_inputs

    sources = collect_inputs([str(corpus / "notices")]).sources
    graph, _ = graph_from_paths(sources, curation=load_curation(corpus / "kg-curation.toml"))
    assert ("Regulation", TRIAL) not in graph.nodes
    assert json.loads(graph.nodes[("Regulation", FINAL)].props["same_as"]) == [TRIAL]


@pytest.mark.parametrize("text,expected", [
    ('[[same-as]]\nlabel = "Regulation"\nkeep = "x\n', "bad.toml:3: not valid TOML"),
    ('[[same-as]]\nlabel = "Regulation"\nkeep = "A"\nmerge = "B"\n\n[[keep-apart]]\nlabel = "Regulation"\nkey = "B"\n'
     'docs = ["' + "0" * 64 + '"]\n', "bad.toml:6: keep-apart of 'B' contradicts line 1, which merges it into 'A'"),
    ('[[same-as]]\nlabel = "Regulation"\nkeep = "不存在的条例"\nmerge = "也不存在"\n',
     "bad.toml:1: same-as Regulation '不存在的条例' ← '也不存在': no notice mentions it"),
    ('[[same-as]]\nlabel = "Person"\nkeep = "a"\nmerge = "b"\n', "bad.toml:1: label 'Person'"),
    ('[[same-as]]\nlabel = "Regulation"\nkeep = "a"\n', 'bad.toml:1: [[same-as]] needs merge = "…"'),
])
def test_a_file_kg_cannot_apply_is_one_line_and_keeps_the_store(corpus, text, expected):
    build(corpus)
    before = recurring(corpus)
    (corpus / "bad.toml").write_text(text, encoding="utf-8")
    result = run(corpus, "build", "notices", "--db", "c.kg", "--curation", "bad.toml")
    assert result.returncode == 1
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kg: {expected}"), lines
    assert recurring(corpus) == before


def test_a_decision_that_names_nothing_is_a_warning(corpus):
    (corpus / "kg-curation.toml").write_text(
        f'[[same-as]]\nlabel = "Regulation"\nkeep = "{FINAL}"\nmerge = "{TRIAL}"\n\n'
        '[[same-as]]\nlabel = "Organization"\nkeep = "甲"\nmerge = "乙"\nwhy = "typo"\n', encoding="utf-8")
    summary = build(corpus)
    assert "kg: kg-curation.toml:6: same-as Organization '甲' ← '乙': nothing in these notices matches; no effect" in summary
    assert "1 of 2 decisions took effect" in summary


def test_dry_run_says_what_would_change_and_writes_nothing(corpus):
    build(corpus)
    (corpus / "kg-curation.toml").write_text(
        f'[[same-as]]\nlabel = "Regulation"\nkeep = "{FINAL}"\nmerge = "{TRIAL}"\n', encoding="utf-8")
    result = run(corpus, "build", "notices", "--db", "c.kg", "--dry-run")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert f"Regulation '{TRIAL}' would be merged away" in out
    assert out.strip().splitlines()[-1].startswith("dry run, nothing written:")
    assert recurring(corpus) == sorted(KNOWN)


def test_same_as_for_an_organization_named_two_ways(tmp_path, seed_files):
    """A notice whose issuer kg could not place (市妇联, kept to its notice) joins the
    organization a user knows it is."""
    from kg.curation import load as load_curation
    from kg.extract import extract
    from kg.read import read_bytes
    from kg.resolve import build_graph

    text = seed("000").read_text(encoding="utf-8")
    lone = "\n".join(text.replace("湘潭", "").replace("岳塘区", "").splitlines()[:-2])
    records = [extract(read_bytes(text.encode(), "000.txt")), extract(read_bytes(lone.encode(), "lone.txt"))]
    assert records[1]["issuer"]["organization"] == "市妇联"
    file = tmp_path / "c.toml"
    file.write_text('[[same-as]]\nlabel = "Organization"\nkeep = "湘潭市妇女联合会"\nmerge = "市妇联"\nwhy = "same body"\n',
                    encoding="utf-8")
    curation = load_curation(file)
    curated = [curation.apply(r)[0] for r in records]
    g = build_graph(curated)
    orgs = {k for (label, k) in g.nodes if label == "Organization"}
    assert orgs == {"湘潭市妇女联合会"}
    rules = {e["rule"] for e in g.nodes[("Organization", "湘潭市妇女联合会")].provenance}
    assert f"curation.same-as {file}:1: same body" in rules


def test_curate_refuses_a_contradiction_and_keeps_the_file(tmp_path):
    file = tmp_path / "kg-curation.toml"
    assert kg("curate", "same-as", "Regulation", "A", "B", "--file", str(file)).returncode == 0
    kept = file.read_text(encoding="utf-8")
    result = kg("curate", "keep-apart", "Regulation", "B", "--doc", str(seed("002")), "--file", str(file))
    assert result.returncode == 1
    assert result.stderr.decode().strip() == f"kg: {file}:10: keep-apart of 'B' contradicts line 4, which merges it into 'A'"
    assert file.read_text(encoding="utf-8") == kept
    with pytest.raises(CurationError, match="no such curation file"):
        load(tmp_path / "missing.toml")


def test_a_decision_made_twice_is_written_once(tmp_path):
    file = tmp_path / "kg-curation.toml"
    same_as = ("curate", "same-as", "Regulation", FINAL, TRIAL, "--file", str(file))
    keep_apart = ("curate", "keep-apart", "Regulation", DISCIPLINE, "--doc", str(seed("002")), "--file", str(file))
    for args, said in ((same_as, f"same-as Regulation '{FINAL}' ← '{TRIAL}'"),
                       (keep_apart, f"keep-apart Regulation '{DISCIPLINE}' in 1 notice")):
        assert kg(*args, "--why", "first").returncode == 0
        kept = file.read_text(encoding="utf-8")
        again = kg(*args, "--why", "second")
        line = 4 if args is same_as else 10
        assert (again.returncode, again.stderr.decode().strip()) == (
            0, f"{file}:{line}: {said} is already there; nothing written")
        assert file.read_text(encoding="utf-8") == kept


def test_keep_apart_of_a_notice_that_is_not_there_is_refused(tmp_path, seed_store):
    file = tmp_path / "kg-curation.toml"
    elsewhere = Path(__file__)  # a file, but no notice of the store
    for doc, db, reason in [
        ("notices/002.txt", (), "no such notice file (give a notice's path, or its SHA-256 with --db)"),
        ("0" * 64, (), "give --db STORE to check this SHA-256 is one of its notices"),
        ("0" * 64, ("--db", str(seed_store.path)), f"not among the 5 notices of {seed_store.path}"),
        (str(elsewhere), ("--db", str(seed_store.path)), f"not among the 5 notices of {seed_store.path}"),
    ]:
        result = kg("curate", "keep-apart", "Regulation", DISCIPLINE, "--doc", doc, *db, "--file", str(file))
        assert (result.returncode, result.stderr.decode().strip()) == (1, f"kg: {doc}: {reason}")
        assert not file.exists()
    sha = hashlib.sha256(seed("002").read_bytes()).hexdigest()
    result = kg("curate", "keep-apart", "Regulation", DISCIPLINE, "--doc", sha, "--db", str(seed_store.path),
                "--file", str(file))
    assert result.returncode == 0 and "in 1 notice;" in result.stderr.decode()


def test_suggest_lists_titles_equal_but_for_trial_and_short_forms(corpus):
    build(corpus)
    result = run(corpus, "curate", "suggest", "--db", "c.kg", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    rows = json.loads(result.stdout)
    pair = next(r for r in rows if {r["keep"], r["merge"]} == {FINAL, TRIAL})
    assert pair["label"] == "Regulation" and "brackets" in pair["because"]
    assert {pair["keep notices"], pair["merge notices"]} == {1}
    assert set(pair["written as"].split(" ↔ ")) == {f"《{FINAL}》", f"《{TRIAL}》"}


def test_a_curated_store_is_brought_up_to_date_incrementally(corpus, monkeypatch):
    """Notices added to and removed from a curated store, same-as decisions starting to
    apply (the notices citing what they merge come) and stopping again (they go): each
    build is incremental and equals a full build with the same file, row for row. One
    keeps a title an organization's own regulation bears under another key (its same_as
    changes though no notice stating it does). A changed file rebuilds in full, saying why."""
    from kg import incremental
    from kg.backends.embedded import EmbeddedStore
    from kg.build import build_store
    from kg.curation import append
    from tests.test_incremental import assert_same_graph

    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)  # a few notices: every change is a large share
    notices = corpus / "notices"
    internal, merged = "机关财务管理制度", "东营市总工会经济活动内部控制实施办法"  # seed 001's own; 003's own
    coming = [notices / seed("000").name, notices / seed("003").name, notices / "003-final.txt"]
    for p in coming:  # seed 000 cites the trial version; 003 and its edited copy cite `merged`
        p.rename(corpus / p.name)
    path = str(corpus / "kg-curation.toml")
    append(path, "same-as", "Regulation", {"keep": FINAL, "merge": TRIAL}, "one regulation")
    append(path, "keep-apart", "Regulation", {"key": DISCIPLINE, "docs": [f"notices/{seed('002').name}"]}, "2018")
    append(path, "same-as", "Regulation", {"keep": internal, "merge": merged}, "a test of names")
    db = corpus / "store.kg"

    def same_as(key: str):
        _, rows = EmbeddedStore(db).query("MATCH (r:Regulation {key: $k}) RETURN r.same_as", {"k": key})
        return rows[0][0] if rows else "no such regulation"

    def build_and_compare():
        sources = sorted(str(p) for p in notices.iterdir())
        report = build_store(sources, str(db), curation=load(path))
        assert report.changes is not None and report.full_because is None, report.full_because
        full = corpus / f"full-{len(list(corpus.glob('full-*')))}.kg"
        build_store(sources, str(full), curation=load(path))
        assert_same_graph(EmbeddedStore(db), EmbeddedStore(full))
        return report

    build_store(sorted(str(p) for p in notices.iterdir()), str(db), curation=load(path))
    assert same_as(f"浙江省妇女联合会|{internal}") is None
    for p in coming:
        (corpus / p.name).rename(p)
    report = build_and_compare()
    assert set(report.curated) == {d.line for d in load(path).decisions}
    assert same_as(FINAL) == json.dumps([TRIAL], ensure_ascii=False)
    assert same_as(f"浙江省妇女联合会|{internal}") == json.dumps([merged], ensure_ascii=False)
    for p in coming:
        p.unlink()
    build_and_compare()
    assert same_as(FINAL) == "no such regulation"  # only the edited 003 cited it
    assert same_as(f"浙江省妇女联合会|{internal}") is None

    append(path, "same-as", "Regulation", {"keep": DISCIPLINE, "merge": "中国共产党纪律处分条例(2018)"}, "x")
    report = build_store(sorted(str(p) for p in notices.iterdir()), str(db), curation=load(path))
    assert report.full_because == "the curation file's decisions changed since the last build"
