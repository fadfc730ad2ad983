"""Copies of the seeds in the forms sites republish them give the seeds' counts."""
from __future__ import annotations

from bench.copy_forms import write_copies
from kg.backends.embedded import EmbeddedStore
from kg.build import build_store
from kg.trends import trends


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
    assert trends(store)[0] == trends(seed_store)[0]
