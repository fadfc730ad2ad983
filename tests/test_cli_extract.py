"""`kg extract` end to end: the installed console script on the seed corpus."""
from __future__ import annotations

import json
import subprocess
import sys

from kg.schema import validate_record
from tests.cli import kg
from tests.conftest import SEEDS, seed


def test_extract_folder_to_file(tmp_path, seed_files):
    out = tmp_path / "seeds.jsonl"
    result = kg("extract", str(SEEDS), "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == [str(p) for p in seed_files]
    for record in records:
        validate_record(record)


def test_extract_to_stdout_and_from_stdin():
    result = kg("extract", "-", stdin=seed("001").read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    (record,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert record["source"] == "-"
    assert record["inspection"]["team"] == "省委第六巡视组"


def test_bad_files_reported_others_kept(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.4\x00\x00\x01binary")
    missing = tmp_path / "missing.txt"
    good = seed("000")
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n", encoding="utf-8")  # replaced: one good notice is worth writing
    result = kg("extract", str(empty), str(good), str(missing), str(binary), "--out", str(out))
    assert result.returncode == 1
    errors = result.stderr.decode().splitlines()
    assert errors == [
        f"kg: {empty}: empty file",
        f"kg: {missing}: no such file",
        f"kg: {binary}: binary content, not a text notice",
        "kg: 3 of 4 documents failed",
    ]
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["source"] == str(good)


def test_a_run_that_reads_nothing_keeps_the_previous_file(tmp_path):
    out = tmp_path / "seeds.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "seedz"
    for given, reason in ((missing, "no such file"), (empty, "empty file")):
        result = kg("extract", str(given), "--out", str(out))
        assert result.returncode == 1
        assert result.stderr.decode().splitlines() == [
            f"kg: {given}: {reason}",
            f"kg: {out}: none of the 1 documents could be read; the file was left as it was",
        ]
        assert out.read_text(encoding="utf-8") == "previous results\n"
    new = tmp_path / "new.jsonl"
    result = kg("extract", str(empty), "--out", str(new))
    assert result.stderr.decode().splitlines()[-1] == f"kg: {new}: none of the 1 documents could be read; no file was created"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "seeds.jsonl"]  # no temporary file left


def test_failed_write_keeps_previous_output(tmp_path):
    out = tmp_path / "seeds.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    # A path under a file cannot be written: one line naming it, the old file untouched.
    target = out / "under-a-file.jsonl"
    result = kg("extract", str(seed("000")), "--out", str(target))
    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines() == [f"kg: {target}: cannot write there ({out} is a file, not a folder)"]
    assert out.read_text(encoding="utf-8") == "previous results\n"


def test_out_into_a_new_folder_creates_it(tmp_path, seed_store):
    """Every --out behaves as build does: missing parent folders are made."""
    runs = {
        "extract.jsonl": ("extract", str(seed("000"))),
        "export.graphml": ("export", str(seed_store.path)),
        "recurrence.html": ("viz", "recurrence", "--db", str(seed_store.path)),
        "report.html": ("report", "--db", str(seed_store.path)),
    }
    for name, args in runs.items():
        out = tmp_path / "new" / name.split(".")[0] / name
        result = kg(*args, "--out", str(out))
        assert result.returncode == 0, (name, result.stderr.decode())
        assert out.stat().st_size > 0


def test_library_entry_point_matches_cli():
    import kg as kg_package

    record = kg_package.extract(kg_package.read_source(str(seed("003"))))
    assert record["issuer"]["organization"] == "东营市总工会"


def test_module_runs_without_console_script():
    result = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, timeout=60)
    assert result.returncode == 0
    assert b"extract" in result.stdout
