"""Shared fixtures: the seed corpus (real notices) and their extraction records."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.extract import extract
from kg.read import read_source

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("KG_SEEDS", REPO.parent / "shared" / "corpus" / "seeds"))
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def bench_module(name: str):
    """A module of bench/ (beside the tests in the repository, not in an installed kg),
    loaded from its file: `bench` is no package the tests can import by name."""
    import importlib.util
    import sys

    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def seed(prefix: str) -> Path:
    """The seed file whose name starts with `prefix` (000 … 004)."""
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    return path


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    if len(SEED_FILES) != 5:
        pytest.fail(f"expected the five seed notices in {SEEDS} (set KG_SEEDS to their folder)")
    return SEED_FILES


@pytest.fixture(scope="session")
def records(seed_files) -> dict[str, dict]:
    """Extraction record of each seed, keyed by its three-digit prefix."""
    return {p.name[:3]: extract(read_source(str(p))) for p in seed_files}


def as_stored(records: dict[str, dict]) -> dict[str, dict]:
    """The records with their sources named as a store names them (kg.corpus: the seeds'
    folder name and the file's), as a build of SEEDS gives them."""
    from kg.corpus import corpus_of

    names = corpus_of([r["source"] for r in records.values()], [str(SEEDS)])
    return {k: dict(r, source=names.name(r["source"])) for k, r in records.items()}


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory, seed_files):
    """The embedded store built from the seed notices (real LadybugDB)."""
    from kg.backends.embedded import EmbeddedStore
    from kg.build import build_store

    path = tmp_path_factory.mktemp("stores") / "seeds.kg"
    build_store([str(p) for p in seed_files], str(path))
    return EmbeddedStore(path)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """generated(n): (the files of n notices made from the seeds by bench/make_corpus.py,
    the embedded store built from them), made once per session."""
    import subprocess
    import sys

    from kg.backends.embedded import EmbeddedStore
    from kg.build import build_store

    made: dict[int, tuple[list[str], EmbeddedStore]] = {}

    def make(n: int) -> tuple[list[str], EmbeddedStore]:
        if n not in made:
            folder = tmp_path_factory.mktemp(f"generated-{n}")
            subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), str(n), str(folder / "notices"),
                            "--seeds", str(SEEDS)], check=True, capture_output=True)
            files = sorted(str(p) for p in (folder / "notices").iterdir())
            build_store(files, str(folder / "store.kg"), workers=2)
            made[n] = files, EmbeddedStore(folder / "store.kg")
        return made[n]

    return make
