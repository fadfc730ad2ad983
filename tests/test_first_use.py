"""What a new user tripped over, through the CLI: a bad --terms file, a terminal that asks
for ASCII, --db naming a folder that is not a store, advice for OPTIONAL MATCH that must
itself run, --limit in kg explain, kg load neo4j without settings, and counts in words."""
from __future__ import annotations

import re
import shutil
import socket

import pytest

from tests.cli import kg
from tests.conftest import SEEDS


def lines(result) -> list[str]:
    return result.stderr.decode().splitlines()


def test_a_terms_file_that_cannot_be_read_is_one_line_naming_it(seed_store, tmp_path):
    bad = tmp_path / "terms.txt"
    bad.write_bytes("暮气较重\n".encode("gbk"))  # not UTF-8
    for terms, reason in ((tmp_path / "missing.txt", "no such file of terms"), (tmp_path, "is a folder"),
                          (bad, "not UTF-8 text")):
        result = kg("trends", "--db", str(seed_store.path), "--terms", str(terms))
        assert result.returncode == 1
        (line,) = lines(result)
        assert line.startswith(f"kg: {terms}: {reason}")


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_output_is_utf8_whatever_the_terminal_asks(seed_store, fmt):
    args = ("query", "--db", str(seed_store.path), "--name", "recurring-regulations", "--format", fmt)
    wanted = kg(*args, env={"PYTHONIOENCODING": "utf-8"})
    for env in ({"PYTHONIOENCODING": "ascii"}, {"PYTHONIOENCODING": None, "LC_ALL": "C", "LANG": "C"}):
        result = kg(*args, env=env)
        assert result.returncode == 0, result.stderr.decode()
        assert "中国共产党党组工作条例" in result.stdout.decode("utf-8")
        # The same UTF-8 bytes (LadybugDB's threads may collect a row's names in another order).
        assert sorted(result.stdout.decode("utf-8")) == sorted(wanted.stdout.decode("utf-8"))


def test_a_folder_that_is_not_a_store_is_called_so(tmp_path):
    notices = tmp_path / "notices"
    notices.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], notices)  # --db given the notices by mistake
    result = kg("query", "--db", str(notices), "--name", "teams")
    assert result.returncode == 1
    (line,) = lines(result)
    assert f"{notices}: not a kg store" in line and "run `kg build" not in line
    assert f"{notices}: not a kg store" in kg("build", str(SEEDS), "--db", str(notices)).stderr.decode()  # as build says
    empty = tmp_path / "empty"
    empty.mkdir()  # a build may make a store here: the advice stays
    assert f"run `kg build NOTICES --db {empty}`" in kg("query", "--db", str(empty), "--name", "teams").stderr.decode()


def test_the_optional_match_advice_runs(seed_store):
    db = str(seed_store.path)
    result = kg("query", "--db", db, "MATCH (r:Regulation) OPTIONAL MATCH (r)<-[:CITES]-(d:Document) RETURN count(d)")
    assert result.returncode == 1
    (line,) = lines(result)
    advised = re.findall(r"`([^`]+)`", line)
    assert len(advised) == 2 and all("CITES" in a for a in advised)
    for pattern in advised:
        ran = kg("query", "--db", db, pattern + " RETURN count(*) AS n", "--format", "csv")
        assert ran.returncode == 0, ran.stderr.decode()
        assert ran.stdout.decode().split() == ["n", "111"]  # every citation


def test_load_neo4j_checks_its_settings_before_reading_notices(tmp_path):
    notices = tmp_path / "notices"
    notices.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], notices)
    (notices / "empty.txt").write_bytes(b"")  # a notice read would be reported: none is
    result = kg("load", "neo4j", str(notices), env={"NEO4J_URI": None})
    assert result.returncode == 1
    assert lines(result) == ["kg: no Neo4j address: set NEO4J_URI (e.g. bolt://localhost:7687) or pass --uri"]
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = kg("load", "neo4j", str(notices), env={"NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_PASSWORD": "x"})
    assert result.returncode == 1
    (line,) = lines(result)
    assert line.startswith(f"kg: cannot reach Neo4j at bolt://127.0.0.1:{port}")


def test_counts_read_in_the_singular_for_one(seed_store, tmp_path):
    result = kg("viz", "recurrence", "--db", str(seed_store.path), "--out", str(tmp_path / "r.html"),
                "--min-organizations", "1")
    assert result.returncode == 0, result.stderr.decode()
    assert "cited by at least 1 organization," in result.stderr.decode()
    result = kg("trends", "--db", str(seed_store.path))
    assert "1 notice with neither date is left out" in result.stderr.decode()


def test_explain_limit_cuts_the_nodes_own_evidence(seed_store):
    result = kg("explain", "--db", str(seed_store.path), "中国共产党纪律处分条例", "--limit", "2")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode().splitlines()
    assert out[0] == "Regulation 中国共产党纪律处分条例"
    own = []  # the lines under the node, before its first relationship
    for line in out[1:]:
        if not line.startswith(" "):
            break
        own.append(line)
    assert len(own) == 3  # two pieces of evidence, and what the limit left out
    assert own[-1] == "    … 3 more: evidence, 2 of 5 shown (--limit 5 shows all)"
