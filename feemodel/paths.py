"""Where the shipped parameters and the example council live."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def params_dir() -> Path:
    """The `params/` folder: FEEMODEL_PARAMS if set, else the one beside the package."""
    env = os.environ.get("FEEMODEL_PARAMS")
    return Path(env) if env else REPO_DIR / "params"


def national_params_dir() -> Path:
    return params_dir() / "national"


def example_dir() -> Path:
    """The embedded example council (scenario files and data)."""
    return params_dir() / "scenarios" / "exampleshire"


def default_scenario() -> Path:
    """The scenario used when none is named: Exampleshire's two-band proposal."""
    return example_dir() / "two_band_2026.yaml"
