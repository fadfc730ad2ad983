"""A user's mistakes never lose a store or state a false fact: builds whose inputs are
missing, empty or unreadable refuse to write; the README's first command fails loudly
on a clone without ../shared."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import kg
from tests.conftest import SEEDS, seed


def documents_in(db: Path) -> int:
    from kg.backends.embedded import EmbeddedStore

    return EmbeddedStore(db).counts()[0]["Document"]


@pytest.fixture
def built(tmp_path, seed_files) -> Path:
    db = tmp_path / "seeds.kg"
    result = kg("build", str(SEEDS), "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    assert documents_in(db) == 5
    return db


def _refused(result, *lines: str) -> None:
    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines() == [f"kg: {line}" for line in lines]


def test_a_mistyped_path_leaves_the_store_as_it_was(built, tmp_path):
    typo = str(SEEDS) + "z"
    _refused(kg("build", typo, "--db", str(built)), f"{typo}: no such file or folder")
    assert documents_in(built) == 5
    # One mistyped path among good ones: refused too, not a store missing that folder.
    _refused(kg("build", str(SEEDS), typo, "--db", str(built)), f"{typo}: no such file or folder")
    assert documents_in(built) == 5


def test_an_empty_folder_or_a_store_as_input_is_refused(built, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = kg("build", str(empty), "--db", str(built))
    assert result.returncode == 1 and "no notices here" in result.stderr.decode()
    _refused(kg("build", str(built), "--db", str(tmp_path / "other.kg")),
             f"{built}: is a kg store, not a folder of notices (a store is given with --db)")
    assert not (tmp_path / "other.kg").exists()
    assert documents_in(built) == 5


def test_when_every_notice_fails_the_store_is_kept(built, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00\x01binary")
    (bad / "readme.md").write_text("# notes", encoding="utf-8")
    result = kg("build", str(bad), "--db", str(built))
    err = result.stderr.decode()
    assert result.returncode == 1
    assert f"kg: {bad / 'scan.txt'}: binary content, not a text notice" in err
    assert f"kg: {built}: the notice could not be read; the store was left as it was" in err
    assert "skipped 1 file that is not a notice (.md" in err and "readme.md" in err  # said, not silent
    assert documents_in(built) == 5
    # A store that did not exist is not created by a build that wrote nothing.
    assert kg("build", str(bad), "--db", str(tmp_path / "new.kg")).returncode == 1
    assert not (tmp_path / "new.kg").exists()


def test_a_failure_in_one_notice_keeps_the_others(built, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_bytes(seed("000").read_bytes())
    (folder / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00\x01binary")
    result = kg("build", str(folder), "--db", str(built))
    assert result.returncode == 1  # said, and the good notice is built
    assert documents_in(built) == 1


def test_readme_first_command_on_a_clone_without_shared(tmp_path):
    """Run from a folder with no ../shared: one line naming the missing folder, no store."""
    clone = tmp_path / "clone"
    clone.mkdir()
    exe = Path(sys.executable).with_name("kg")
    command = f"{exe} build ../shared/corpus/seeds --db seeds.kg && {exe} query --db seeds.kg --name recurring-regulations"
    result = subprocess.run(["bash", "-c", command], cwd=clone, capture_output=True, timeout=300,
                            env={**os.environ, "KG_DB": ""})
    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines() == ["kg: ../shared/corpus/seeds: no such file or folder"]
    assert result.stdout == b""
    assert not (clone / "seeds.kg").exists()


def test_a_query_during_a_first_build_says_a_build_is_running(tmp_path):
    import fcntl

    from kg.store_folder import claim

    db = tmp_path / "first.kg"
    claim(db)  # a first build marks the store before it locks it
    with open(db / ".lock", "w") as lock:  # what kg build holds while it writes
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = kg("query", "--db", str(db), "--name", "teams")
    assert result.returncode == 1
    assert "the first build of this store is still running" in result.stderr.decode()
    result = kg("query", "--db", str(db), "--name", "teams")
    assert "no graph here yet" in result.stderr.decode()


def test_unknown_query_names_suggest_the_closest(tmp_path, seed_files):
    result = kg("query", "--db", str(tmp_path), "--name", "team")
    assert result.returncode == 1
    assert "did you mean 'teams'?" in result.stderr.decode()
    result = kg("sparql", str(tmp_path / "x.ttl"), "--name", "recurring-regulation")
    assert "did you mean 'recurring-regulations'? `kg queries --sparql` lists them" in result.stderr.decode()


def test_query_from_a_file_or_stdin(tmp_path, built):
    query = tmp_path / "q.cypher"
    query.write_text("MATCH (d:Document) RETURN count(d) AS n", encoding="utf-8")
    assert kg("query", "--db", str(built), "--file", str(query), "--format", "csv").stdout.decode().split() == ["n", "5"]
    piped = kg("query", "--db", str(built), "-", "--format", "csv", stdin=query.read_bytes())
    assert piped.stdout.decode().split() == ["n", "5"]


def test_export_format_follows_the_extension(built, tmp_path):
    turtle = tmp_path / "seeds.ttl"
    assert kg("export", str(built), "--out", str(turtle)).returncode == 0
    assert turtle.read_text(encoding="utf-8").startswith("@prefix")
    mismatch = tmp_path / "wrong.ttl"
    _refused(kg("export", str(built), "--out", str(mismatch), "--format", "graphml"),
             f"{mismatch}: --format graphml does not match the extension .ttl (turtle); change one of them")
    assert not mismatch.exists()


def test_a_store_of_an_older_graph_model_asks_for_a_rebuild(built):
    import json

    info = (built / "current" / "build.json")
    data = json.loads(info.read_text(encoding="utf-8"))
    info.write_text(json.dumps({**data, "model_version": data["model_version"] - 1}), encoding="utf-8")
    result = kg("stats", "--db", str(built))
    assert result.returncode == 1
    assert "rebuild it: kg build NOTICES --db" in result.stderr.decode()


def test_explain_names_files_counts_what_it_cuts_and_suggests(built):
    db = str(built)
    result = kg("explain", "--db", db, "中國共產黨紀律處分條例", "--limit", "1")  # the traditional form
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert out.startswith("Regulation 中国共产党纪律处分条例\n")
    cites = [line for line in out.splitlines() if line.startswith("CITES ")]
    assert len(cites) == 1
    assert cites[0].startswith(f"CITES Document:seeds/{seed('002').name} (政协桑植县委员会) → Regulation:")
    assert "… 4 more: CITES: 1 of 5 shown (--limit 5 shows all)" in out
    # The whole sentence around the span, not a window of characters.
    assert "整改情况:一是认真学习《中国共产党廉洁自律准则》【《中国共产党纪律处分条例》】等党纪党规,并严格执行。" in out
    missing = kg("explain", "--db", db, "纪律处分")
    assert missing.returncode == 1
    assert missing.stderr.decode().strip() == (
        f"kg: nothing in {db} has key, title or name '纪律处分'; titles and names containing it: 中国共产党纪律处分条例")


def test_tables_say_one_row_align_counts_and_show_lists_as_text(built):
    result = kg("query", "--db", str(built), "MATCH (d:Document) RETURN count(d) AS documents, ['a', 'b'] AS letters")
    assert result.returncode == 0
    assert result.stderr.decode().strip() == "1 row"
    header, _, row = result.stdout.decode().splitlines()[1:4]
    assert "a; b" in row and "[" not in row
    # The count sits at the right edge of its column.
    cell = row.split("│")[1]
    assert cell.endswith("5 ") and cell.startswith("  ")


def test_progress_off_a_terminal_is_a_line_every_few_seconds(tmp_path, seed_files):
    import subprocess as sp

    exe = Path(sys.executable).with_name("kg")
    result = sp.run([str(exe), "extract", str(SEEDS), "--out", str(tmp_path / "x.jsonl")], capture_output=True,
                    env={**os.environ, "KG_PROGRESS_EVERY": "0"}, timeout=300)
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 0
    assert lines[-1].startswith("Extracting: 5/5 (100 %), ") and lines[-1].endswith(" s")
    assert len(lines) == 5


def test_usage_mistakes_are_one_line_with_exit_2(tmp_path):
    result = kg("build")
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == ["kg: Missing argument 'paths'. (`kg build --help` for usage)"]
    result = kg("export", str(tmp_path), "--format", "nope")
    assert result.returncode == 2 and len(result.stderr.decode().strip().splitlines()) == 1
    assert result.stderr.decode().startswith("kg: Invalid value for '--format'")


def test_the_neo4j_advice_names_options_the_command_has():
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    exe = Path(sys.executable).with_name("kg")
    result = subprocess.run([str(exe), "query", "--neo4j", "--name", "teams"], capture_output=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "set NEO4J_URI (e.g. bolt://localhost:7687) or pass --uri" in result.stderr.decode()
    assert "--uri" in subprocess.run([str(exe), "query", "-h"], capture_output=True, timeout=60).stdout.decode()


def _seed_copies(folder: Path) -> Path:
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def _run(*args):
    """kg with a short timeout: a command that waits on a FIFO fails instead of hanging."""
    try:
        return subprocess.run([str(Path(sys.executable).with_name("kg")), *args], capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"kg {args[0]} hung (did it open a FIFO?)")


def test_a_fifo_among_the_notices_is_skipped_and_named(tmp_path):
    folder = _seed_copies(tmp_path / "notices")
    fifo = folder / "005_pipe.txt"
    os.mkfifo(fifo)
    db = tmp_path / "seeds.kg"
    result = _run("build", str(folder), "--db", str(db))
    assert result.returncode == 0, result.stderr.decode()
    assert f"kg: skipped 1 entry that is not a regular file (a FIFO): {fifo}" in result.stderr.decode().splitlines()
    assert documents_in(db) == 5
    result = _run("extract", str(folder))
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 5
    # Named on the command line: refused in one line, the others read.
    result = _run("extract", str(fifo), str(folder / seed("000").name))
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 1
    assert result.stderr.decode().splitlines()[0] == f"kg: {fifo}: not a regular file (a FIFO)"
    result = _run("build", str(fifo), *map(str, sorted(folder.glob("00[0-4]*"))), "--db", str(db))
    assert result.returncode == 1 and f"kg: {fifo}: not a regular file (a FIFO)" in result.stderr.decode()
    assert documents_in(db) == 5


def test_a_file_name_that_is_not_utf8_is_built_and_printed_escaped(tmp_path):
    folder = _seed_copies(tmp_path / "notices")
    gbk = os.path.join(os.fsencode(folder), "整改".encode("gbk") + b".txt")  # b'\xd5\xfb\xb8\xc4.txt'
    os.rename(folder / seed("001").name, gbk)
    shown = f"{folder}/\\xd5\\xfb\\xb8\\xc4.txt"
    db = tmp_path / "seeds.kg"
    for _ in range(2):  # a full build, then an incremental one finding it unchanged
        result = _run("build", str(folder), "--db", str(db))
        assert result.returncode == 0, result.stderr.decode()
        assert "Traceback" not in result.stderr.decode()
    assert "5 unchanged" in result.stderr.decode()
    from kg.backends.embedded import EmbeddedStore

    _, rows = EmbeddedStore(db).query("MATCH (d:Document) RETURN d.source ORDER BY d.source")
    assert [r[0] for r in rows][-1] == "notices/\\xd5\\xfb\\xb8\\xc4.txt" and len(rows) == 5  # named in its folder
    result = _run("extract", str(folder))
    assert result.returncode == 0, result.stderr.decode()
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()][-1] == shown
    # One that cannot be read is named escaped, in one line; the others are read.
    scan = os.path.join(os.fsencode(folder), "报告".encode("gbk") + b".txt")  # b"\xb1\xa8\xb8\xe6.txt"
    with open(scan, "wb") as f:
        f.write(b"%PDF-1.4\x00\x00\x01binary")
    result = _run("extract", str(folder))
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 5
    assert result.stderr.decode().splitlines() == [f"kg: {folder}/\\xb1\\xa8\\xb8\\xe6.txt: binary content, not a "
                                                   "text notice", "kg: 1 of 6 documents failed"]
