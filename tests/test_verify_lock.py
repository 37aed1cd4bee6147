"""The lock file drives the install: it pins every requirement pyproject.toml names (runtime, test
and dask extras) at a version the requirement allows; the Makefile installs from it; the manifest
records its hash."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from feemodel.paths import REPO_DIR
from feemodel.publish.pack import lock_pins, lock_state


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_every_requirement_at_an_allowed_version():
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"] + project["optional-dependencies"]["dask"]
    pins = lock_pins(REPO_DIR / "requirements.lock")
    assert len(pins) > 100   # the whole tree, not only the direct requirements
    for spec in wanted:
        req = Requirement(spec)
        name = canonical(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock: run make lock"
        assert req.specifier.contains(pins[name], prereleases=True), f"{req.name}: locked {pins[name]}, pyproject.toml wants {req.specifier}"
        for extra in req.extras:   # dask[distributed]: the extra's packages are locked too
            assert extra in pins, extra


def test_lock_pins_reads_name_equals_version_lines(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nPyYAML==6.0.2    # via feemodel\ndask[distributed]==2026.8.0\nruamel.yaml==0.19.1 ; python_version >= '3.11'\n"
                    "-e .\n")
    assert lock_pins(lock) == {"pyyaml": "6.0.2", "dask": "2026.8.0", "ruamel-yaml": "0.19.1"}
    # an installed version that differs from its pin is recorded (pyyaml 6.0.2 is not what is installed
    # unless it is; a made-up version never is)
    lock.write_text("pyyaml==0.0.1\nno-such-package-xyz==1.0\n")
    s = lock_state(lock)
    assert s["differs"]["pyyaml"]["locked"] == "0.0.1" and s["differs"]["pyyaml"]["installed"] not in (None, "0.0.1")
    assert s["differs"]["no-such-package-xyz"] == {"locked": "1.0", "installed": None}
    assert len(s["sha256"]) == 64


def test_make_installs_from_the_lock_with_uv_or_pip():
    make = (REPO_DIR / "Makefile").read_text()
    rule = make[make.index("$(STAMP):"):make.index("touch $(STAMP)")]
    assert "$(LOCK)" in rule.splitlines()[0]                  # a changed lock reinstalls
    assert "uv pip install" in rule and "-r $(LOCK)" in rule
    assert "pip install --quiet -r $(LOCK)" in rule           # the fallback without uv
    # uv, unlike pip, does not compile bytecode unless asked; with PYTHONDONTWRITEBYTECODE set
    # (CI, containers) every kernel would compile its imports from source at each start
    assert "uv pip install --quiet --compile-bytecode" in rule
    assert "-m compileall -q -j 0 feemodel bench" in rule
    assert "LOCK := requirements.lock" in make
