"""Framework items, themes and the problems found, measured against hand labels: every
problem of the seeds (tests/data/problem_labels.json) and of the dev corpus's openings
(problem_labels_dev.json), labelled by reading the notices. Figures are reported for the
two apart: the rules were written on the seeds, the dev notices were labelled before the
rules were run on them."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import kg
from kg.extract.framework import applicable
from kg.themes import terms_of, themes

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DATA = Path(__file__).parent / "data"
SEEDS = json.loads((DATA / "problem_labels.json").read_text(encoding="utf-8"))["problems"]
DEV = json.loads((DATA / "problem_labels_dev.json").read_text(encoding="utf-8"))["problems"]
LABELS = SEEDS + DEV
# Bars: measured on the seeds 110/112 framework (two 政协 headings that name no item stay
# unplaced), every labelled problem found; on the dev corpus 9/9 and 9/9 (README).
FRAMEWORK_BAR = {"seeds": 0.95, "dev": 0.85}
RECALL_BAR = {"seeds": 1.0, "dev": 0.85}
PRECISION_BAR = {"seeds": 1.0, "dev": 0.85}  # of the problems found, the share a label names
THEME_BAR = 0.6  # precision of each problem's top-3 themes; measured below


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    """Every seed notice and every dev notice (those listing no problem count too: a
    problem found there is one no label names)."""
    paths = [*(CORPUS / "seeds").glob("*.txt"), *(CORPUS / "dev").glob("dev*.txt")]
    if {label["notice"] for label in LABELS} - {p.name for p in paths}:
        pytest.skip(f"the corpus is not beside this repository ({CORPUS})")
    return {p.name: kg.extract(kg.read_source(str(p))) for p in paths}


def _words(text: str) -> str:
    """A problem's words as compared with a label's snippet: no quotes, marks or spaces."""
    return re.sub(r"[“”\"‘’'《》\s。,,;;::、]", "", text)


def _match(records, labels) -> dict[int, tuple[str, int]]:
    """Label index → (notice, index from 1 of the problem found that it names): the first
    problem of its notice, in order, whose words begin with the label's snippet."""
    found, taken = {}, set()
    for i, label in enumerate(labels):
        problems = records[label["notice"]]["problems"]
        for j, p in enumerate(problems, 1):
            key = (label["notice"], j)
            if key not in taken and _words(p["text"]).startswith(_words(label["snippet"])):
                found[i] = key
                taken.add(key)
                break
    return found


def _subset(name):
    return SEEDS if name == "seeds" else DEV


@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_problems_found(records, name):
    """Recall: the labelled problems the extractor finds; precision: of the problems it
    finds in the labelled notices (for the dev corpus, every notice), those a label names."""
    labels = _subset(name)
    matched = _match(records, labels)
    notices = {label["notice"] for label in labels} if name == "seeds" else {n for n in records if n.startswith("dev")}
    extracted = [(n, j) for n in sorted(notices) for j in range(1, len(records[n]["problems"]) + 1)]
    missed = [(label["notice"], label["snippet"]) for i, label in enumerate(labels) if i not in matched]
    unlabelled = [(n, records[n]["problems"][j - 1]["text"][:30]) for n, j in extracted if (n, j) not in matched.values()]
    recall, precision = len(matched) / len(labels), len(matched) / max(len(extracted), 1)
    print(f"{name} problems: recall {len(matched)}/{len(labels)} = {recall:.1%}, precision {len(matched)}/"
          f"{len(extracted)} = {precision:.1%}; missed {missed}; not labelled {unlabelled}")
    assert recall >= RECALL_BAR[name], missed
    assert precision >= PRECISION_BAR[name], unlabelled


@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_framework_agreement(records, name):
    labels = _subset(name)
    matched = _match(records, labels)
    wrong, unplaced = [], 0
    for i, label in enumerate(labels):
        if i not in matched:
            continue  # not found: counted by test_problems_found
        notice, j = matched[i]
        got = records[notice]["problems"][j - 1]["framework"]
        unplaced += got["item"] == "unplaced" and label["framework"] != "unplaced"
        if got["item"] != label["framework"]:
            wrong.append((notice[:5], j, label["framework"], got["item"], got["rule"]))
    accuracy = 1 - len(wrong) / len(matched)
    print(f"{name} framework: {len(matched) - len(wrong)}/{len(matched)} = {accuracy:.1%} ({unplaced} unplaced); "
          f"errors: {wrong}")
    assert accuracy >= FRAMEWORK_BAR[name], wrong
    placed_wrong = [w for w in wrong if w[3] != "unplaced"]
    if name == "seeds":
        assert not placed_wrong, placed_wrong  # where it places, it places right


def test_framework_evidence_is_the_heading(records):
    for r in records.values():
        text = kg.read_source(r["source"]).text
        for p in r["problems"]:
            f = p["framework"]
            if "span" in f:
                assert text[f["span"][0]:f["span"][1]] == f["raw"] and f["rule"].startswith("framework.")


def test_frameworks_by_kind_and_year():
    assert applicable("巡视", 2024).id == "四个落实"
    assert applicable("巡视", 2016).id == applicable("巡视", 2017).id == "三个问题"
    assert applicable("巡视", 2018).id == applicable("巡视", 2019).id == "六个围绕一个加强"
    assert applicable("巡视", 2014).id == applicable("巡察", 2013).id == "四个着力"
    assert applicable("巡视", 2010).id == "四个着力"  # before the first: the nearest
    assert applicable("巡察", 2016).id == "三个问题"
    assert applicable("巡察", 2020).id == "三个聚焦"
    assert applicable(None, 2020) is None


def test_framework_of_a_2016_notice(records):
    """dev03, the 2016 回头看 of 湖北: 在政治意识不够强,党的领导弱化方面 names the first of the
    三个问题 of the 2016–17 rounds."""
    placed = records["dev03.txt"]["problems"][0]["framework"]
    assert (placed["framework"], placed["item"], placed["raw"]) == ("三个问题", "党的领导弱化", "党的领导弱化")


def _matches(theme: str, labelled: list[str]) -> bool:
    return any(theme in t or t in theme for t in labelled)


@pytest.fixture(scope="module")
def ranked(records):
    """The themes of every problem found in the seeds and the dev corpus, by keyness
    against the measures' text."""
    rows, reference = [], []
    for name, r in records.items():
        for i, p in enumerate(r["problems"], 1):
            key = f"{name}|{i}"
            rows.append((key, name, p["text"], r["issuer"]["organization"] if r["issuer"] else None,
                         json.dumps(terms_of(p["text"]), ensure_ascii=False)))
            reference += [(key, m["text"]) for m in p["measures"]]
    return themes(rows, reference=reference)


@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_theme_precision(records, ranked, name):
    labels = _subset(name)
    matched = _match(records, labels)
    rank = {t.term: i for i, t in enumerate(ranked)}
    hits = shown = with_theme = 0
    misses = []
    for i, label in enumerate(labels):
        if i not in matched:
            continue
        notice, j = matched[i]
        alternatives = [a for t in label["themes"] for a in t.split("|")]
        mine = sorted((t for t in terms_of(records[notice]["problems"][j - 1]["text"]) if t in rank), key=rank.get)[:3]
        good = [t for t in mine if _matches(t, alternatives)]
        hits, shown, with_theme = hits + len(good), shown + len(mine), with_theme + bool(mine)
        misses += [t for t in mine if t not in good]
    precision = hits / shown
    print(f"{name} themes: per-problem top-3 precision {hits}/{shown} = {precision:.1%}, problems with a theme "
          f"{with_theme}/{len(matched)}; not labelled: {misses}")
    assert precision >= THEME_BAR


def test_corpus_top_themes(ranked):
    labelled = [a for label in LABELS for t in label["themes"] for a in t.split("|")]
    top = [t.term for t in ranked[:30]]
    top_precision = sum(_matches(t, labelled) for t in top) / len(top)
    print(f"themes: corpus top-30 precision {top_precision:.1%}; top 30: {top}")
    assert top_precision >= THEME_BAR
    assert not {"工作", "会议", "干部", "规范", "服务", "党建", "阵地", "工会", "监管", "党组"} & {t.term for t in ranked}


def test_sanchong_yida_is_rare_here_not_misranked(records, ranked):
    """三重一大 is outside the top 30 because these notices raise it once: one problem of one
    organization (seed 002), while measures answering other problems name it (seed 003's
    《…“三重一大”事项实施办法》 for 议事规则执行不规范). The rest of the text uses it as much, so
    its keyness is below zero and it ranks after the distinctive terms, kept as a domain term."""
    theme = next(t for t in ranked if t.term == "三重一大")
    assert (len(theme.problems), len(theme.organizations)) == (1, 1)
    elsewhere = [m["text"] for r in records.values() for p in r["problems"] if "三重一大" not in p["text"]
                 for m in p["measures"] if "三重一大" in m["text"]]
    assert len(elsewhere) >= 2
    assert theme.keyness < 0 and [t.term for t in ranked].index("三重一大") >= 30
