"""The README cannot drift from the code: every command and named query is documented."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kg.cli import app
from kg.queries import library

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def readme() -> str:
    if not README.exists():
        pytest.skip("README.md is not beside the tests")
    return README.read_text(encoding="utf-8")


def test_every_command_is_documented(readme):
    names = [c.name for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands]
    assert len(names) > 10
    for name in names:
        assert f"kg {name}" in readme, name


def test_every_named_query_is_documented(readme):
    for name in library():
        assert f"`{name}`" in readme, name
    for name in library("sparql"):
        assert name in library(), f"sparql/{name}.rq has no Cypher twin"


def test_readme_opens_with_the_two_commands(readme):
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert first_block[0].startswith("pip install . && kg build ../shared/corpus/seeds")
    assert first_block[1] == "pip install '.[test]' && pytest"
    assert "pip install '.[test]' && pytest" in Path(README.parent / ".ci" / "run").read_text()


def test_every_command_help_has_an_example_and_no_type_placeholders():
    from tests.cli import kg

    names = [c.name for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands]
    for name in names:
        result = kg(*name.split(), "-h")
        out = result.stdout.decode()
        assert result.returncode == 0, name
        assert "Example:" in out, name
        example = out.split("Example:", 1)[1].split("\n\n", 1)[0].strip()
        assert "\n" not in example, (name, "an example pastes as one line")
        assert subprocess.run(["bash", "-n", "-c", example]).returncode == 0, (name, "bash cannot parse the example")
        for placeholder in ("<str>", "<bool>", "<int", "<list", "<path>"):
            assert placeholder not in out, (name, placeholder)
