"""Whatever users scraped from the web: no crash, one clear line per bad file, nothing
lost, ambiguous facts left empty rather than guessed."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract import extract
from kg.read import read_bytes
from kg.schema import validate_record
from tests.cli import kg
from tests.conftest import seed
from tests.test_record import facts
from tests.variants import without_signature

XIANGTAN = seed("000").read_text(encoding="utf-8")
OPENING = "2023年10月11日至12月1日,市委第三巡察组对市妇联党组开展了常规巡察。2024年1月17日"


def record_of(text: str, name: str = "variant.txt") -> dict:
    record = extract(read_bytes(text.encode("utf-8"), name))
    validate_record(record)
    for fact in facts(record):
        start, end = fact["span"]
        assert text[start:end] == fact["raw"], fact
    return record


# -- files ------------------------------------------------------------------------

def test_mixed_line_endings():
    lines = seed("002").read_text(encoding="utf-8").split("\n")
    text = "".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines))
    record = record_of(text)
    assert len(record["problems"]) == 38
    assert record["published"] == "2020-10-28"


def test_huge_file_is_refused_others_processed(tmp_path):
    huge = tmp_path / "dump.txt"
    with open(huge, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # 100 MB
    result = kg("extract", str(huge), str(seed("000")))
    assert result.returncode == 1
    errors = result.stderr.decode().splitlines()
    assert errors[0] == f"kg: {huge}: 104,857,600 bytes, larger than 20,971,520: not a notice (raise KG_MAX_BYTES to read it)"
    assert len(result.stdout.decode().splitlines()) == 1


def test_folder_with_thousands_of_files(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    paragraphs = [line for line in XIANGTAN.splitlines() if len(line) > 20]
    for i in range(2000):
        (folder / f"{i:05d}.txt").write_text(paragraphs[i % len(paragraphs)] + "\n中共湘潭市妇女联合会党组\n",
                                             encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = kg("extract", str(folder))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [f"kg: {folder / 'broken.txt'}: binary content, not a text notice",
                                                   "kg: 1 of 2001 documents failed"]
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(records) == 2000 and records[0]["source"].endswith("00000.txt")


# -- text -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "opening,expected",
    [
        ("2023年2月30日至13月1日,市委第三巡察组对市妇联党组开展了常规巡察。2024年1月17日", (None, None)),
        ("1938年10月11日至12月1日,市委第三巡察组对市妇联党组开展了常规巡察。2024年1月17日", (None, None)),
        ("2093年10月11日至12月1日,市委第三巡察组对市妇联党组开展了常规巡察。2024年1月17日", (None, None)),
        ("２０２３年１０月１１日至１２月１日,市委第三巡察组对市妇联党组开展了常规巡察。２０２４年１月１７日",
         ("2023-10-11", "2023-12-01")),
    ],
)
def test_implausible_dates_are_left_empty(opening, expected):
    inspection = record_of(XIANGTAN.replace(OPENING, opening))["inspection"]
    assert (inspection["start"], inspection["end"]) == expected
    assert (inspection["team"], inspection["committee"]) == ("市委第三巡察组", "湘潭市委")


def test_chinese_numeral_signature_date():
    text = XIANGTAN.replace("\n2024年8月20日", "\n二〇二四年八月二十日")
    assert record_of(text)["published"] == "2024-08-20"


def test_notice_without_issuer():
    text = without_signature(XIANGTAN).replace("对市妇联党组开展了", "开展了").replace("市妇联党组", "本单位")
    record = record_of(text)
    assert record["issuer"] is None
    assert len(record["citations"]) == 21  # everything else is still read


def test_two_inspection_teams_are_not_guessed():
    text = XIANGTAN.replace("市委第三巡察组对市妇联党组", "市委第三巡察组、市委第五巡察组对市妇联党组")
    record = record_of(text)
    inspection = record["inspection"]
    # The visit is still known (committee, kind, period); which team made it is not.
    assert (inspection["team"], inspection["team_number"]) == (None, None)
    assert (inspection["committee"], inspection["kind"], inspection["start"]) == ("湘潭市委", "巡察", "2023-10-11")
    warned = [w for w in record["warnings"] if w["rule"] == "inspection.several_teams"]
    assert [w["raw"] for w in warned] == ["市委第三巡察组", "市委第五巡察组"]
    assert all(text[w["span"][0]:w["span"][1]] == w["raw"] for w in warned)


def test_brackets_gone_wrong():
    text = XIANGTAN.replace("《灵秀流芳》", "《灵秀流芳").replace("《莲城莲花》", "《》《《莲城莲花》》")
    titles = [c["title"] for c in record_of(text)["citations"]]
    assert "灵秀流芳" not in titles and "莲城莲花" in titles


# -- property-based -------------------------------------------------------------------

NOTICE_CHARS = "中共市委第三巡察组对妇联党组开展了年月日至反馈意见《》<>()“”,。:;、一二三四五六七八九十是1234567890整改情况\n "


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=NOTICE_CHARS, max_size=400))
def test_random_notice_text_never_raises(text):
    if text.strip():
        record_of(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_seed_never_raises(data):
    text = data.draw(st.sampled_from([seed(p).read_text(encoding="utf-8") for p in ("000", "002", "004")]))
    for _ in range(data.draw(st.integers(1, 6))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 200)))
        insert = data.draw(st.text(alphabet=NOTICE_CHARS, max_size=30))
        text = text[:start] + insert + text[end:]
    if text.strip():
        record_of(text)


# -- secrets ----------------------------------------------------------------------------

def test_password_never_written(tmp_path, monkeypatch):
    secret = "pw-Zq9-never-print-me"
    db = tmp_path / "s.kg"
    env_cmds = [("build", str(seed("000").parent), "--db", str(db)),
                ("export", str(db), "--format", "cypher"),
                ("export", str(db), "--format", "turtle")]
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    outputs = [kg(*cmd) for cmd in env_cmds] + [kg("load", "neo4j", str(seed("000")))]
    for result in outputs:
        assert secret.encode() not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes()
    assert os.environ["NEO4J_PASSWORD"] == secret
