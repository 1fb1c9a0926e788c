"""The contract table of ``queries/README.md``, read by both query test files."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "queries" / "README.md"


def readme_rows() -> dict[str, tuple[list[str], list[str]]]:
    """``{name: (parameters, columns)}`` from the table in queries/README.md."""
    out = {}
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            params = re.findall(r"`(\w+)`", cells[2])
            columns = [c.strip() for c in cells[3].split("`")[1].split(",")]
            out[cells[0].strip("`")] = (params, columns)
    return out
