#!/usr/bin/env python3
"""Generate N realistic notices from the seed corpus, deterministically.

    python bench/make_corpus.py 10000 /tmp/corpus [--seed 7] [--seeds ../shared/corpus/seeds]

Each notice is a seed notice with its places, organization, team, dates, cited
regulations and problem list varied: the city or province is swapped for another
division of the same level (from the gazetteer), dates are shifted, the team renumbered,
some citations replaced by titles cited elsewhere in the corpus, some numbered problems
dropped. About one in five is converted to traditional characters and one in five is
written in GBK (GB18030), as notices arrive from real sites.

With `--copies F --copies-dir DIR`, a share F of the notices is also written to DIR as
another site republished it (one of bench/copy_forms.py's forms, in turn): what kg.copies
must fold into the notice it copies.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg import gazetteer  # noqa: E402
from kg.extract.citations import find_titles  # noqa: E402

CN = "一二三四五六七八九十"
PLACES = {  # names in the seeds, by the level they stand for
    "湘潭": "city", "东营": "city", "张家界": "city", "桑植": "county", "浙江": "province", "天津": "province",
}
DATE = re.compile(r"(?:(?P<y>(?:19|20)\d{2})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日")


def divisions_by_level() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"province": [], "city": [], "county": []}
    for name, div in sorted(gazetteer.unique_names().items()):
        if len(name) >= 3 and name.endswith(("省", "市", "县")) and name not in gazetteer.MUNICIPALITIES:
            out[div.level].append(name)
    return out


def shift_dates(text: str, days: int) -> str:
    """Move every date by `days`; year-less dates keep their form."""
    def repl(m: re.Match) -> str:
        year = int(m.group("y")) if m.group("y") else 2022
        try:
            date = dt.date(year, int(m.group("m")), int(m.group("d"))) + dt.timedelta(days=days)
        except ValueError:
            return m.group()
        date = min(date, dt.date.today() - dt.timedelta(days=1))
        return (f"{date.year}年" if m.group("y") else "") + f"{date.month}月{date.day}日"
    return DATE.sub(repl, text)


def swap_place(text: str, rng: random.Random, levels: dict[str, list[str]]) -> str:
    for short, level in PLACES.items():
        if short in text:
            target = rng.choice(levels[level])
            text = text.replace(short + level_suffix(level), target).replace(short, target[:-1])
    return text


def level_suffix(level: str) -> str:
    return {"province": "省", "city": "市", "county": "县"}[level]


def drop_problems(text: str, rng: random.Random) -> str:
    """Remove some numbered problems with their 整改情况 line."""
    lines = text.split("\n")
    out, skip = [], False
    for line in lines:
        if re.match(r"\d{1,2}\.", line) and rng.random() < 0.25:
            skip = True
            continue
        if skip and line.startswith("整改情况"):
            skip = False
            continue
        skip = False
        out.append(line)
    return "\n".join(out)


def replace_citations(text: str, rng: random.Random, pool: list[str]) -> str:
    titles = [t for t in find_titles(text) if not t.nested]
    for t in sorted(rng.sample(titles, k=len(titles) // 4), key=lambda t: -t.start):
        text = text[: t.inner_start] + rng.choice(pool) + text[t.inner_end :]
    return text


def renumber_team(text: str, rng: random.Random) -> str:
    number = CN[rng.randrange(9)]
    return re.sub(r"第([一二三四五六七八九十])(巡察组|巡视组)", lambda m: f"第{number}{m.group(2)}", text)


def make(n: int, out: Path, seed: int, seeds_dir: Path, copies: float = 0.0, copies_dir: Path | None = None) -> None:
    import opencc

    seeds = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    if not seeds:
        sys.exit(f"no seed notices in {seeds_dir}")
    pool = sorted({text[t.inner_start : t.inner_end] for text in seeds for t in find_titles(text) if not t.nested})
    levels = divisions_by_level()
    to_traditional = opencc.OpenCC("s2t")
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        text = seeds[rng.randrange(len(seeds))]
        text = swap_place(text, rng, levels)
        text = shift_dates(text, rng.randrange(-900, 300))
        text = renumber_team(text, rng)
        text = drop_problems(text, rng)
        text = replace_citations(text, rng, pool)
        roll = rng.random()
        if roll < 0.2:
            data = to_traditional.convert(text).encode("utf-8")
        elif roll < 0.4:
            data = text.encode("gb18030")
        else:
            data = text.encode("utf-8")
        (out / f"notice-{i:06d}.txt").write_bytes(data)
        if copies_dir is not None and random.Random(seed * 7_000_003 + i).random() < copies:
            write_copy(text, i, copies_dir)
        if (i + 1) % 10_000 == 0:
            print(f"{i + 1} notices", file=sys.stderr)


def write_copy(text: str, i: int, folder: Path) -> None:
    """Notice `i` as another site republished it, in the next of copy_forms' forms."""
    import copy_forms

    folder.mkdir(parents=True, exist_ok=True)
    name, form = list(copy_forms.FORMS.items())[i % len(copy_forms.FORMS)]
    suffix, data = form(text)
    (folder / f"copy-{i:06d}-{name}{suffix}").write_bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many notices")
    parser.add_argument("dir", type=Path, help="folder to write them to")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same corpus)")
    parser.add_argument("--seeds", type=Path, default=HERE.parent.parent / "shared" / "corpus" / "seeds",
                        help="folder of seed notices")
    parser.add_argument("--copies", type=float, default=0.0, help="share of the notices also written as a copy")
    parser.add_argument("--copies-dir", type=Path, help="folder for the copies (with --copies)")
    args = parser.parse_args()
    if args.copies and args.copies_dir is None:
        parser.error("--copies needs --copies-dir")
    make(args.n, args.dir, args.seed, args.seeds, args.copies, args.copies_dir)


if __name__ == "__main__":
    main()
