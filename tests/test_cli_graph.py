"""kg build, query, queries, explain, stats and export, end to end."""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from tests.cli import kg
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def db(tmp_path_factory, seed_files):
    path = tmp_path_factory.mktemp("cli") / "seeds.kg"
    result = kg("build", str(SEEDS), "--db", str(path))
    assert result.returncode == 0, result.stderr.decode()
    assert "5 files, 5 notices (0 copies of others); 5 extracted, 0 cached; 370 nodes, 531 relationships" in result.stderr.decode()
    return str(path)


def test_named_query_as_json(db):
    result = kg("query", "--db", db, "--name", "recurring-regulations", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    rows = json.loads(result.stdout)  # one JSON array
    assert isinstance(rows, list)
    lines = kg("query", "--db", db, "--name", "recurring-regulations", "--format", "jsonl").stdout.decode().splitlines()
    assert [json.loads(line) for line in lines] == rows  # jsonl: the same objects, one per line
    assert len(rows) == 4 and {r["organizations"] for r in rows} == {2}


def test_cypher_with_param_as_csv(db):
    result = kg("query", "--db", db, "MATCH (r:Regulation) WHERE r.kind = $kind RETURN r.title AS title ORDER BY title",
                "--param", "kind=law", "--format", "csv")
    assert result.returncode == 0, result.stderr.decode()
    assert list(csv.reader(io.StringIO(result.stdout.decode()))) == [["title"], ["中华人民共和国工会法"]]


def test_table_output(db):
    result = kg("query", "--db", db, "--name", "teams")
    assert result.returncode == 0
    assert "张家界市委第七巡察组" in result.stdout.decode()


def test_hostile_param_changes_nothing(db):
    attack = "'}) DETACH DELETE n //"
    for args in (["--name", "citing-documents", "--param", f"title={attack}"],
                 ["MATCH (r:Regulation {title: $t}) RETURN r.title", "--param", f"t={attack}"]):
        result = kg("query", "--db", db, *args, "--format", "json")
        assert result.returncode == 0 and json.loads(result.stdout) == []
    stats = kg("stats", "--db", db, "--format", "csv").stdout.decode()
    assert "node,Regulation,94" in stats


def test_query_errors_are_one_line(db, tmp_path):
    cases = [
        (["query", "--db", db, "--name", "citing-documents"], "kg: query citing-documents needs --param title"),
        (["query", "--db", db, "--name", "nope"], "kg: no cypher query named 'nope'"),
        (["query", "--db", db, "MATCH (n:Nope) RETURN n"], "kg: query failed:"),
        (["query", "--db", str(tmp_path / "none.kg"), "--name", "teams"], "no graph here yet"),
    ]
    for args, message in cases:
        result = kg(*args)
        assert result.returncode == 1, args
        err = result.stderr.decode().strip()
        assert message in err and "Traceback" not in err, err


def test_queries_lists_every_named_query():
    result = kg("queries", "--format", "json")
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"recurring-regulations", "citing-documents", "organization-regulations", "inspection-timeline", "teams",
            "problems-by-category", "co-cited-regulations", "organizations-by-region"} <= names


def test_explain_quotes_the_source(db):
    result = kg("explain", "--db", db, "中国共产党纪律处分条例")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert "Regulation 中国共产党纪律处分条例" in out
    assert "CITES Document:" in out
    assert "以深入學習貫徹新修訂的【《中國共產黨紀律處分條例》】(以下簡稱《條例》)" in out
    assert "[citations.title_marks]" in out


def test_explain_names_the_notices_a_count_was_made_from(db):
    out = kg("explain", "--db", db, "中国共产党党组工作条例").stdout.decode()
    counted = out[out.index("ORGANIZATION_CITES Organization:东营市总工会"):].splitlines()[1]
    assert counted.split()[1:] == ["[derived.organization_cites]", "(the", "notice", "as", "a", "whole)"]
    assert counted.split()[0].endswith(".txt")  # the file, with no empty span
    assert "CO_CITED Regulation:中国共产党党组工作条例 → Regulation:关于新形势下党内政治生活的若干准则" in out


def test_stats(db):
    rows = list(csv.reader(io.StringIO(kg("stats", "--db", db, "--format", "csv").stdout.decode())))
    counts = {(kind, name): int(n) for kind, name, n in rows[1:]}
    assert counts[("node", "Document")] == 5 and counts[("relationship", "CITES")] == 111


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_for_gephi(db, tmp_path, fmt):
    out = tmp_path / f"seeds.{fmt}"
    assert kg("export", db, "--format", fmt, "--out", str(out)).returncode == 0
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert g.number_of_nodes() == 370 and g.number_of_edges() == 531
    node = g.nodes["Regulation:中国共产党纪律处分条例"]
    assert node["kind"] == "party_regulation"
    assert node["key" if fmt == "graphml" else "kg_key"] == "中国共产党纪律处分条例"
    assert "networkx_key" not in out.read_text(encoding="utf-8")


def test_export_jsonl_from_notices_equals_export_from_store(db):
    from_store = kg("export", db, "--format", "jsonl").stdout.decode().splitlines()
    from_notices = kg("export", str(SEEDS), "--format", "jsonl").stdout.decode().splitlines()
    assert len(from_store) == 370 + 531
    # The same lines; a store streams them in its own order (nodes, then relationships).
    assert sorted(from_store) == sorted(from_notices)
    assert [("node" in json.loads(line)) for line in from_store] == [True] * 370 + [False] * 531


def test_export_neo4j_admin(db, tmp_path):
    out = tmp_path / "import"
    result = kg("export", db, "--format", "neo4j-admin", "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    with open(out / "relationships" / "CITES.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == [":START_ID(Document)", ":END_ID(Regulation)"] and rows[0][-1] == ":TYPE"
    assert "span_start:long" in rows[0] and len(rows) == 1 + 111
    with open(out / "nodes" / "Regulation.csv", encoding="utf-8", newline="") as f:
        header, *regs = list(csv.reader(f))
    assert header[0] == "key:ID(Regulation)" and header[-1] == ":LABEL"
    assert "raw_forms:string[]" in header and "evidence:string[]" in header
    assert len(regs) == 94 and all(r[-1] == "Regulation\x1fKg" for r in regs)
    with open(out / "nodes" / "Inspection.csv", encoding="utf-8", newline="") as f:
        assert {"start_date:date", "end_date:date", "feedback_date:date"} <= set(next(csv.reader(f)))
    assert "--array-delimiter=U+001F" in (out / "import.sh").read_text()
    assert oct(out.stat().st_mode & 0o777) == "0o755"  # a Neo4j container's user reads it
    script = (out / "import.sh").read_text()
    assert "--relationships=CITES=$dir/relationships/CITES.csv" in script
    again = kg("export", db, "--format", "neo4j-admin", "--out", str(out))
    assert again.returncode == 1 and "folder is not empty" in again.stderr.decode()


def test_export_cypher_script(db):
    result = kg("export", db, "--format", "cypher")
    script = result.stdout.decode()
    assert script.startswith("CREATE CONSTRAINT kg_document_key IF NOT EXISTS")
    assert script.count("MERGE (n:Regulation {key: row.key})") == 1  # 94 rows fit one batch
    assert "'《中國共產黨紀律處分條例》'" in script


def test_load_neo4j_without_a_server_is_one_line(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("kg"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    result = subprocess.run([exe, "load", "neo4j", str(SEEDS)], env=env, capture_output=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "kg: no Neo4j address: set NEO4J_URI (e.g. bolt://localhost:7687) or pass --uri"
    env.update(NEO4J_URI="bolt://127.0.0.1:9", NEO4J_PASSWORD="s3cret-pass")
    result = subprocess.run([exe, "load", "neo4j", str(SEEDS)], env=env, capture_output=True, timeout=120)
    err = result.stderr.decode()
    assert result.returncode == 1 and "cannot reach Neo4j at bolt://127.0.0.1:9" in err and "s3cret-pass" not in err
