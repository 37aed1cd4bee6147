"""The conda environment lists the same packages as pyproject.toml; the CLI is installed."""

import re
import tomllib

import yaml

from feemodel.paths import REPO_DIR


def names(specs):
    return {re.split(r"[<>=!\[ ]", s, maxsplit=1)[0].lower() for s in specs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]
    wanted = names(project["dependencies"]) | names(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO_DIR / "environment.yml").read_text())
    conda = names(d for d in env["dependencies"] if isinstance(d, str)) - {"python", "pip"}
    # packages not on conda-forge are listed under pip: (options such as --no-deps and the project itself aside)
    pip = names(p for d in env["dependencies"] if isinstance(d, dict) for p in d.get("pip", []) if not p.startswith("-"))
    assert conda | pip == wanted
