"""Copies of the seeds in the forms sites republish them give the seeds' counts."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kg import curation
from kg.backends.embedded import EmbeddedStore
from kg.build import build_store
from kg.trends import trends
from tests.cli import kg
from tests.conftest import bench_module

copy_forms = bench_module("copy_forms")
FORMS, write_copies = copy_forms.FORMS, copy_forms.write_copies


def test_seeds_and_their_copies_count_as_the_seeds(seed_store, seed_files, tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    for path in seed_files:
        (folder / path.name).write_bytes(path.read_bytes())
    copies = [c for path in seed_files for c in write_copies(path.read_text(encoding="utf-8-sig"), path.stem, folder)]
    report = build_store(sorted(str(p) for p in folder.iterdir()), str(tmp_path / "copies.kg"))
    assert (report.documents, report.copies) == (5, len(copies))
    store = EmbeddedStore(tmp_path / "copies.kg")
    nodes, seeds_nodes = store.build_info()["nodes"], seed_store.build_info()["nodes"]
    assert nodes["Copy"] == 5 + len(copies)
    assert {k: v for k, v in nodes.items() if k != "Copy"} == {k: v for k, v in seeds_nodes.items() if k != "Copy"}
    rels, seeds_rels = store.build_info()["relationships"], seed_store.build_info()["relationships"]
    assert {k: v for k, v in rels.items() if k != "COPY_OF"} == {k: v for k, v in seeds_rels.items() if k != "COPY_OF"}
    got, want = _unordered(trends(store)[0]), _unordered(trends(seed_store)[0])
    for g, w in zip(got, want):
        assert {k: v for k, v in g.items() if v != w.get(k)} == {}, (g["period"], {k: w[k] for k in g if g[k] != w.get(k)})
    assert got == want


def test_signatures_are_datasketchs_minhash(seed_files):
    """kg.copies.signature computes in numpy what datasketch's MinHash holds for the same
    shingle hashes: the LSH index and the threshold measured with it apply."""
    import numpy as np
    from datasketch import MinHash

    from kg.copies import NUM_PERM, SCHEME, SEED, main_text, shingle_hashes, signature
    from kg.read import read_source

    for path in seed_files:
        text = main_text(read_source(str(path)).text)
        for part in (text, text[:3], ""):  # a whole notice, a text shorter than a shingle, none
            m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=lambda value: value)
            m.update_batch(shingle_hashes(part).tolist())
            assert signature(part) == m.hashvalues.astype(np.uint64).tobytes()


def test_ruling_out_by_the_first_values_changes_no_place(seed_files, tmp_path):
    """CopyIndex rules out by their first values the notices that must reach STRICT and
    cannot: every source is placed as when every value of every signature is compared.
    The seeds and their copies, then all of them again with guards that state nothing
    (so each must reach STRICT: the near-identical forms do, a missing paragraph not)."""
    from dataclasses import replace

    from kg.build import extract_document
    from kg.copies import NUM_PERM, Grouping, source_of
    from kg.read import read_source

    for path in seed_files:
        write_copies(path.read_text(encoding="utf-8-sig"), path.stem, tmp_path)
    sources = []
    for path in [*seed_files, *sorted(tmp_path.iterdir())]:
        doc = read_source(str(path))
        record = dict(extract_document(doc), source=path.name)
        sources.append((record["sha256"], source_of(doc.text, record)))
    sources += [("stated-nothing-" + doc, replace(src, guard=(None,) * 6 + src.guard[-1:])) for doc, src in sources]

    def places(rule_out: bool) -> list:
        grouping = Grouping()
        if not rule_out:
            grouping.index._strict_misses = NUM_PERM  # nothing is ruled out: every value compared
        return [grouping.place(doc, src) for doc, src in sources]

    placed = places(True)
    assert placed == places(False)
    strict = [p for (doc, _), p in zip(sources, placed) if doc.startswith("stated-nothing-")]
    assert any(not p.first for p in strict) and any(p.first for p in strict)  # both sides of STRICT were judged


def test_every_republished_form_states_the_guard_of_its_notice(seed_files, tmp_path):
    """Another site's page, encoding, script, furniture or title line above the text changes
    no fact of the guard (issuer, team, dates, titles cited) of any real notice: a copy is
    never kept apart by how it was read. (A missing paragraph may lose facts, which the
    guard allows.)"""
    from kg.copies import guard
    from kg.extract import extract
    from kg.read import read_source
    from tests.conftest import REPO

    dev = sorted((REPO.parent / "shared" / "corpus" / "dev").glob("*.txt"))
    forms = {name: form for name, form in FORMS.items() if name != "missing_paragraph"}
    for path in [*seed_files, *dev]:
        doc = read_source(str(path))
        want = guard(extract(doc))
        for copy in write_copies(doc.text, path.stem, tmp_path, forms):
            assert guard(extract(read_source(str(copy)))) == want, copy.name


def _unordered(rows: list[dict]) -> list[dict]:
    """Trend rows with their lists sorted: ties among themes or regulations may come in any order."""
    return [{k: sorted(v, key=repr) if isinstance(v, list) else v for k, v in row.items()} for row in rows]


def _two_seeds_with_copies(seed_files, folder):
    """Two seed notices, each with its GBK and HTML copies."""
    folder.mkdir()
    forms = {name: FORMS[name] for name in ("gbk", "html")}
    made = {}
    for path in seed_files[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
        made[path.name] = write_copies(path.read_text(encoding="utf-8-sig"), path.stem, folder, forms)
    return made


def test_explain_and_coverage_list_a_notices_copies(seed_files, tmp_path):
    made = _two_seeds_with_copies(seed_files, tmp_path / "notices")
    db = tmp_path / "copies.kg"
    build_store(sorted(str(p) for p in (tmp_path / "notices").iterdir()), str(db))
    seed = seed_files[0].name
    out = kg("explain", "--db", str(db), made[seed][0].name)  # asked by one of its copies
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode()
    first = min(p.name for p in [seed_files[0], *made[seed]])  # the first in input order names it
    assert text.startswith(f"Notice notices/{first}: 3 source(s)")
    for path in [seed_files[0], *made[seed]]:
        assert f"notices/{path.name}  sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in text
    assert "similarity 100%" in text and seed_files[1].name not in text.split("\n\n")[0].split("COPY_OF")[0]
    out = kg("coverage", "--format", "json", str(tmp_path / "notices"))
    groups = json.loads(out.stdout)["copies"]
    assert sorted(sorted([Path(g["notice"]).name, *(Path(c["source"]).name for c in g["copies"])]) for g in groups) == \
        sorted(sorted([name, *(p.name for p in paths)]) for name, paths in made.items())
    table = kg("coverage", str(tmp_path / "notices")).stdout.decode()
    assert "Copies (4 files are copies of 2 notices" in table


def test_a_person_says_two_copies_are_different_notices(seed_files, tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    seed = folder / seed_files[0].name
    seed.write_bytes(seed_files[0].read_bytes())
    (copy,) = write_copies(seed.read_text(encoding="utf-8-sig"), seed.stem, folder, {"gbk": FORMS["gbk"]})
    sources = [str(seed), str(copy)]
    grouped = build_store(sources, str(tmp_path / "grouped.kg"))
    assert (grouped.documents, grouped.copies) == (1, 1)
    (tmp_path / "kg-curation.toml").write_text(
        '[[different-notices]]\ndocs = ["notices/%s", "%s"]\nwhy = "two notices"\n'
        % (seed.name, hashlib.sha256(copy.read_bytes()).hexdigest()), encoding="utf-8")
    decisions = curation.load(tmp_path / "kg-curation.toml")
    apart = build_store(sources, str(tmp_path / "apart.kg"), curation=decisions)
    assert (apart.documents, apart.copies) == (2, 0)
    assert apart.curated == {1: 2}  # took effect in 2 notices
    assert EmbeddedStore(tmp_path / "apart.kg").build_info()["nodes"]["Document"] == 2


def test_copies_added_and_removed_in_incremental_builds_give_what_a_full_build_gives(seed_files, tmp_path,
                                                                                     monkeypatch):
    """A store of the seeds; then copies of two seeds come (each named before its seed, so
    one of them names the notice now), one of them goes, and a seed goes while its copies
    stay: each build is incremental and equals a full build of the same files."""
    from kg import incremental
    from tests.test_incremental import assert_same_graph

    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)  # a few notices: every change is a large share
    folder = tmp_path / "notices"
    folder.mkdir()
    for path in seed_files:
        (folder / path.name).write_bytes(path.read_bytes())
    db = tmp_path / "store.kg"

    def build_and_compare(copies: int, step: str) -> None:
        sources = sorted(str(p) for p in folder.iterdir())
        report = build_store(sources, str(db))
        assert report.changes is not None, step  # incremental, not rebuilt in full
        assert report.copies == copies, step
        full = tmp_path / f"full-{step}.kg"
        build_store(sources, str(full))
        assert_same_graph(EmbeddedStore(db), EmbeddedStore(full))

    build_store(sorted(str(p) for p in folder.iterdir()), str(db))
    forms = {name: FORMS[name] for name in ("gbk", "html", "traditional")}
    made = {p.name: write_copies(p.read_text(encoding="utf-8-sig"), p.stem, folder, forms) for p in seed_files[:2]}
    build_and_compare(6, "copies added")
    first = sorted(made[seed_files[0].name])[0]  # STEM.copy-… sorts before STEM.txt: it names the notice
    first.unlink()
    build_and_compare(5, "the copy a notice names removed")
    (folder / seed_files[1].name).unlink()
    build_and_compare(4, "a notice's first source removed, its copies kept")
    _, rows = EmbeddedStore(db).query("MATCH (c:Copy)-[:COPY_OF]->(d:Document) RETURN d.source, count(c)")
    sources = {p.name: 1 for p in seed_files[2:]}  # the source each notice names → its sources
    sources[sorted(made[seed_files[0].name])[1].name] = 3  # the next copy; then its seed and one more
    sources[sorted(made[seed_files[1].name])[0].name] = 3  # its first copy; then the other two
    assert sorted(map(tuple, rows)) == sorted((f"notices/{name}", n) for name, n in sources.items())
