"""The wheel installs into a clean virtualenv, ships the ontology, and its `kg` runs."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (whl,) = out.glob("*.whl")
    return whl


def test_wheel_ships_the_ontology(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("kg/ontology/kg.ttl", "kg/ontology/domains.ttl",
                   "kg/ontology/gazetteers/methods.jsonl", "kg/cli.py"):
        assert needed in names, needed


def test_installed_wheel_runs_kg(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"), str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    kg = env_dir / "bin" / "kg"
    store = tmp_path / "store"
    # run from an unrelated directory so that nothing is read from the checkout
    build = subprocess.run([str(kg), "build", str(ROOT / "examples" / "arxiv-listing-sample.jsonl"),
                            "--store", str(store)], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    stats = subprocess.run([str(kg), "stats", "--store", str(store), "--format", "json"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout)["papers"] == 15
    assert json.loads(stats.stdout)["nodes"]["Domain"] > 26  # the taxonomy came with the wheel
