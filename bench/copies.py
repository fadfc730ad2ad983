#!/usr/bin/env python3
"""How well kg.copies tells copies of a notice from different notices, over thresholds
and numbers of permutations, with the guard and without it.

    python bench/copies.py [--generated 1000] [--seeds DIR] [--dev DIR] [--json FILE]

Copies: every form of bench/copy_forms.py made of each real notice (the seeds and the
dev notices: openings of real notices with their pages' header lines), written to files
and read back as a build reads them (HTML, GBK and traditional text included). Each copy
is asked of a kg.copies.CopyIndex holding the real notices and the generated ones, as a
build would: it is missed when nothing is found or another notice is.

Different notices: every pair of the real notices, and every pair involving a notice
bench/make_corpus.py generated from the seeds (another place, other dates, another team,
other titles cited: one template, another notice), the generated ones against each other
and against the real ones. A pair is a false grouping when the rule of CopyIndex.find
groups them: estimated similarity at the threshold and (with the guard) no fact of the
guard stated differently, at STRICT where the guard shares no evident fact. Every pair is
compared (no LSH), so a false grouping the LSH would not have offered is counted too.
Generated pairs whose main texts are identical are one text and are not counted.

Without the guard, a pair is grouped on similarity alone.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[0] = str(HERE.parent)  # bench/bench.py would shadow the bench package

import numpy as np  # noqa: E402

from bench.copy_forms import FORMS, write_copies  # noqa: E402
from kg import copies  # noqa: E402

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
NUM_PERMS = (64, 128)
PAIR_FLOOR = 0.2  # pairs less similar are not compared (the margin below is measured down to here)
SHARED = HERE.parent.parent / "shared" / "corpus"
NO_GUARD = (None,) * len(copies.GUARD_FIELDS) + ((),)  # states nothing: agreeing() gives 0


def read(path: Path) -> tuple[str, tuple]:
    """(main text, guard) of a file, read and extracted as a build does."""
    from kg.build import extract_document
    from kg.read import read_source

    doc = read_source(str(path))
    record = extract_document(doc)
    return copies.main_text(doc.text), copies.guard(record)


def _read_all(paths: list[Path], workers: int) -> list[tuple[str, tuple]]:
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(read, paths, chunksize=16)
    return [read(p) for p in paths]


def real_notices(seeds: Path, dev: Path) -> list[Path]:
    return sorted(seeds.glob("*.txt")) + sorted(dev.glob("*.txt"))


def signatures(texts: list[str], num_perm: int) -> np.ndarray:
    return np.stack([np.frombuffer(copies.signature(t, num_perm), np.uint64) for t in texts])


def grouped(sim: float, a: tuple, b: tuple, threshold: float, guarded: bool) -> bool:
    """Whether CopyIndex.find's rule groups two texts of similarity `sim`."""
    if not guarded:
        return sim >= threshold
    same = copies.agreeing(a, b)
    return same is not None and sim >= (threshold if same else max(threshold, copies.STRICT))


def candidate_pairs(sig: np.ndarray, floor: float) -> list[tuple[int, int, float]]:
    """Every pair (i < j) of estimated similarity at least `floor`."""
    out = []
    for i in range(len(sig) - 1):
        sims = (sig[i + 1:] == sig[i]).sum(axis=1) / sig.shape[1]
        for j in np.nonzero(sims >= floor)[0]:
            out.append((i, i + 1 + int(j), float(sims[j])))
    return out


def measure(n_generated: int, seeds: Path, dev: Path, workers: int) -> dict:
    started = time.perf_counter()
    real = real_notices(seeds, dev)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        forms = []  # (real notice index, form name, path)
        for i, path in enumerate(real):
            text = path.read_text(encoding="utf-8-sig")
            for name, copy_path in zip(FORMS, write_copies(text, f"{i:02d}", tmp)):
                forms.append((i, name, copy_path))
        generated = sorted((tmp / "generated").glob("*.txt"))
        if n_generated:
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(n_generated), str(tmp / "generated"),
                            "--seeds", str(seeds)], check=True, capture_output=True)
            generated = sorted((tmp / "generated").glob("*.txt"))
        read_all = _read_all(real + generated + [p for _, _, p in forms], workers)
    notices, copy_items = read_all[:len(real) + len(generated)], read_all[len(real) + len(generated):]
    n_real = len(real)
    texts = [t for t, _ in notices]
    guards = [g for _, g in notices]
    extracted = time.perf_counter() - started

    results, margins = [], {}
    for num_perm in NUM_PERMS:
        sig = signatures(texts, num_perm)
        copy_sig = signatures([t for t, _ in copy_items], num_perm)
        pairs = candidate_pairs(sig, PAIR_FLOOR)
        identical = {(i, j) for i, j, _ in pairs if texts[i] == texts[j]}
        # The margin: the most similar different notices the guard lets through, where it
        # shares an evident fact (THRESHOLD applies) and where it shares none (STRICT does).
        let_through = {"evident": 0.0, "none": 0.0}
        for i, j, sim in pairs:
            same = copies.agreeing(guards[i], guards[j])
            if same is not None and (i, j) not in identical:
                kind = "evident" if same else "none"
                let_through[kind] = max(let_through[kind], sim)
        margins[num_perm] = let_through
        for guarded in (True, False):
            for threshold in THRESHOLDS:
                index = copies.CopyIndex(threshold, num_perm, copies.STRICT if guarded else 0.0)
                for doc in range(len(notices)):
                    index.add(str(doc), sig[doc].tobytes(), guards[doc] if guarded else NO_GUARD)
                missed = {name: 0 for name in FORMS}
                wrong = 0
                for (original, name, _), (_, g), s in zip(forms, copy_items, copy_sig):
                    found = index.find(s.tobytes(), g if guarded else NO_GUARD)
                    if found is None:
                        missed[name] += 1
                    elif found[0] != str(original):
                        missed[name] += 1
                        wrong += 1
                false_real = false_generated = 0
                for i, j, sim in pairs:
                    if (i, j) in identical or not grouped(sim, guards[i], guards[j], threshold, guarded):
                        continue
                    if j < n_real:
                        false_real += 1
                    else:
                        false_generated += 1
                results.append({"num_perm": num_perm, "threshold": threshold, "guard": guarded, "missed": missed,
                                "missed_total": sum(missed.values()), "wrong_notice": wrong,
                                "false_real_pairs": false_real, "false_generated_pairs": false_generated})
    n = len(notices)
    return {"real_notices": n_real, "copies": len(forms), "forms": list(FORMS), "generated": len(generated),
            "real_pairs": n_real * (n_real - 1) // 2, "generated_pairs": n * (n - 1) // 2 - n_real * (n_real - 1) // 2,
            "identical_generated_pairs": len(identical), "seconds": {"extract": round(extracted, 1),
                                                                   "total": round(time.perf_counter() - started, 1)},
            "guard_lets_through": margins, "results": results}


def choose(report: dict) -> dict:
    """No false grouping with the guard, fewest missed copies; then the most permutations,
    and the threshold in the middle of the ones that tie (the widest margin both ways)."""
    safe = [r for r in report["results"] if r["guard"] and not r["false_real_pairs"]
            and not r["false_generated_pairs"] and not r["wrong_notice"]]
    if not safe:
        return {}
    fewest = min(r["missed_total"] for r in safe)
    best = [r for r in safe if r["missed_total"] == fewest]
    num_perm = max(r["num_perm"] for r in best)
    tied = sorted((r for r in best if r["num_perm"] == num_perm), key=lambda r: r["threshold"])
    return tied[(len(tied) - 1) // 2]


def table(report: dict) -> str:
    forms = report["forms"]
    head = ["perm", "thr", "guard", *forms, "missed", "wrong", "false real", "false gen"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in report["results"]:
        cells = [r["num_perm"], f"{r['threshold']:.2f}", "yes" if r["guard"] else "no",
                 *(r["missed"][f] for f in forms), r["missed_total"], r["wrong_notice"],
                 r["false_real_pairs"], r["false_generated_pairs"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", type=int, default=1000, help="notices generated by bench/make_corpus.py")
    parser.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    parser.add_argument("--dev", type=Path, default=SHARED / "dev")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args()
    report = measure(args.generated, args.seeds, args.dev, args.workers)
    print(f"{report['real_notices']} real notices, {report['copies']} copies ({len(report['forms'])} forms each), "
          f"{report['generated']} generated notices; pairs of different notices: {report['real_pairs']} real, "
          f"{report['generated_pairs']} with a generated one ({report['identical_generated_pairs']} of identical "
          f"text left out); {report['seconds']['total']} s")
    for num_perm, m in report["guard_lets_through"].items():
        print(f"{num_perm} permutations: the most similar different notices the guard lets through: "
              f"{m['evident']:.2f} (an evident fact stated alike: THRESHOLD applies), "
              f"{m['none']:.2f} (no evident fact shared: STRICT {copies.STRICT} applies); "
              f"pairs below {PAIR_FLOOR} not compared")
    print("missed: copies (per form) not grouped with their notice; wrong: grouped with another notice;")
    print("false real / false gen: pairs of different notices the rule would group\n")
    print(table(report))
    chosen = choose(report)
    if chosen:
        print(f"\nchosen: num_perm {chosen['num_perm']}, threshold {chosen['threshold']:.2f} "
              f"({chosen['missed_total']} of {report['copies']} copies missed, no false grouping)")
    else:
        print("\nno setting measured groups no two different notices")
    if args.json:
        args.json.write_text(json.dumps({**report, "chosen": chosen}, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
