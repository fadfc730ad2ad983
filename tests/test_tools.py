"""kg's files read right in the tools users already have: an independent SPARQL engine
(Oxigraph), TriG as a dataset, neo4j-admin files equal to what kg load neo4j sends,
RDF without duplicates or unused prefixes, GEXF with kg's names, the embedded store
opened without kg, and the command-line conventions (--version, JSON arrays)."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.backends import rdf
from kg.queries import library
from tests.cli import kg


@pytest.fixture(scope="module")
def turtle(tmp_path_factory, seed_store) -> Path:
    out = tmp_path_factory.mktemp("tools") / "seeds.ttl"
    assert kg("export", str(seed_store.path), "--out", str(out)).returncode == 0
    return out


def _plain(value):
    """A cell as text; GROUP_CONCAT order is the engine's, so its parts are sorted."""
    if value is None:
        return None
    text = str(value)
    return "|".join(sorted(text.split("|"))) if "|" in text else text


@pytest.mark.parametrize("name", sorted(library("sparql")))
def test_every_shipped_sparql_query_answers_the_same_in_oxigraph(turtle, name):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    q = library("sparql")[name]
    given = {"title": "中国共产党纪律处分条例"} if any(p.name == "title" for p in q.params) else {}
    params = q.bind(given)
    columns, rows = rdf.sparql(rdf.parse(str(turtle)), q.cypher, params)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(turtle), format=pyoxigraph.RdfFormat.TURTLE)
    text, rest = rdf.with_values(q.cypher, params)
    assert rest == {}  # every parameter of a shipped query is declared with VALUES
    result = store.query(text)
    theirs = [[_plain(None if b[v] is None else b[v].value) for v in result.variables] for b in result]
    assert [str(v).lstrip("?") for v in result.variables] == columns
    assert theirs == [[_plain(v) for v in row] for row in rows]
    assert len(rows) >= 1


def test_trig_is_read_as_a_dataset(tmp_path, seed_store):
    trig = tmp_path / "seeds.trig"
    assert kg("export", str(seed_store.path), "--out", str(trig)).returncode == 0
    teams = kg("sparql", str(trig), "--name", "teams", "--format", "json")
    assert teams.returncode == 0 and len(json.loads(teams.stdout)) == 4
    named = kg("sparql", str(trig), "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "json")
    assert named.returncode == 0 and json.loads(named.stdout)[0]["n"] > 10_000
    imported = kg("import", str(trig), "--db", str(tmp_path / "back.kg"))
    assert imported.returncode == 0 and "370 nodes, 531 relationships" in imported.stderr.decode()
    assert kg("validate", str(trig)).returncode == 0
    broken = tmp_path / "broken.trig"  # every kg:kind gone: must not conform
    broken.write_text("\n".join(line for line in trig.read_text(encoding="utf-8").splitlines() if "kg:kind" not in line),
                      encoding="utf-8")
    assert kg("validate", str(broken)).returncode == 1
    empty = tmp_path / "empty.trig"
    empty.write_text("<http://example.org/g> { }\n", encoding="utf-8")
    for args in (["sparql", str(empty), "--name", "teams"], ["import", str(empty), "--db", str(tmp_path / "e.kg")],
                 ["validate", str(empty)]):
        result = kg(*args)
        assert result.returncode == 1 and "no triples in it" in result.stderr.decode()


def test_neo4j_admin_files_hold_what_kg_load_neo4j_sends(tmp_path, seed_store):
    """The CSVs, read as neo4j-admin reads them (types from the header, arrays split), equal
    the batches kg load neo4j sends (dates through date(), lists as lists)."""
    from kg.backends.embedded import read_graph
    from kg.backends.neo4j import DATE_PROPERTIES, node_rows, relationship_rows
    from kg.backends.neo4j_files import ARRAY_DELIMITER
    from kg.graph import model

    out = tmp_path / "admin"
    assert kg("export", str(seed_store.path), "--format", "neo4j-admin", "--out", str(out)).returncode == 0
    graph = read_graph(seed_store)

    def read(path: Path) -> list[dict]:
        with open(path, encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        out_rows = []
        for row in rows:
            item = {}
            for column, cell in zip(header, row):
                name, _, kind = column.partition(":")
                if kind.startswith(("LABEL", "TYPE", "START_ID", "END_ID")):
                    item[kind.split("(")[0]] = cell
                    continue
                if cell == "":
                    item[name] = None
                elif kind.endswith("[]"):
                    item[name] = cell.split(ARRAY_DELIMITER)
                elif kind == "long":
                    item[name] = int(cell)
                else:
                    item[name] = cell
            out_rows.append(item)
        return out_rows

    m = model()
    for label in m.nodes:
        sent = {r["key"]: r for r in node_rows(graph, label)}
        files = read(out / "nodes" / f"{label}.csv")
        assert len(files) == len(sent)
        for row in files:
            want = sent[row["key"]]
            assert row["LABEL"].split(ARRAY_DELIMITER) == [label, "Kg"]
            for prop, value in want.items():
                assert row[prop] == value, (label, prop)  # dates: the ISO text date() reads
        dates = [p for p in m.nodes[label] if p in DATE_PROPERTIES]
        header = next(csv.reader(open(out / "nodes" / f"{label}.csv", encoding="utf-8")))
        assert all(f"{p}:date" in header for p in dates)
    for rel_type in m.relationships:
        sent = {r["key"]: r for r in relationship_rows(graph, rel_type)}
        files = read(out / "relationships" / f"{rel_type}.csv")
        assert {r["key"] for r in files} == set(sent)
        for row in files:
            want = sent[row["key"]]
            assert (row["START_ID"], row["END_ID"], row["TYPE"]) == (want["from"], want["to"], rel_type)
            assert row["evidence"] == want["evidence"]


def test_rdf_exports_have_no_duplicate_triples_or_unused_prefixes(tmp_path, seed_store):
    nt = tmp_path / "seeds.nt"
    assert kg("export", str(seed_store.path), "--out", str(nt)).returncode == 0
    lines = nt.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines))
    assert not any("prov#wasDerivedFrom" in line and line.split()[0] == line.split()[2] for line in lines)
    assert any("<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>" in line and "oa#start" in line
               for line in lines)
    jsonld = tmp_path / "seeds.jsonld"
    assert kg("export", str(seed_store.path), "--out", str(jsonld)).returncode == 0
    text = jsonld.read_text(encoding="utf-8")
    context = json.loads(text)["@context"]
    body = text.split('"@graph"', 1)[1]
    # The @context comes before the first node: it names the prefixes the mapping can write
    # (owl: only for names a curation file merged), and every one the body uses.
    assert context == rdf.written_prefixes() and "rdfs" not in context
    assert all(f'"{prefix}:' in body for prefix in set(context) - {"owl"})


def test_the_embedded_store_opens_without_kg(seed_store):
    """The README's path to the LadybugDB file, opened with ladybug alone."""
    import ladybug

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "STORE/current/graph.lbug" in readme
    db = ladybug.Database(str(seed_store.path / "current" / "graph.lbug"), read_only=True)
    conn = ladybug.Connection(db)
    assert conn.execute("MATCH (d:Document) RETURN count(d)").get_next()[0] == 5
    conn.close()
    db.close()


def test_version_and_json_arrays(seed_store):
    from importlib.metadata import version

    result = kg("--version")
    assert result.returncode == 0 and result.stdout.decode().strip() == f"kg {version('kg')}"
    stats = kg("stats", "--db", str(seed_store.path), "--format", "json")
    rows = json.loads(stats.stdout)
    assert isinstance(rows, list) and {"kind", "name", "count"} <= set(rows[0])
    lines = kg("stats", "--db", str(seed_store.path), "--format", "jsonl").stdout.decode().splitlines()
    assert [json.loads(line) for line in lines] == rows


def test_shell_completion_is_offered():
    result = subprocess.run([str(Path(sys.executable).with_name("kg")), "--show-completion", "bash"],
                            capture_output=True, timeout=60, env={"SHELL": "/bin/bash", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and b"complete" in result.stdout
