"""Execute every tutorial notebook in notebooks/ (they are written to run at small sizes).

Each runs from a temporary folder, not from notebooks/, so nothing in them depends on where the
user stands. Their outputs carry no third-party banners, and every NaN they show is explained
next to it (a markdown cell beside it, or a printed line, says why).
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Text of banners that libraries print on first use (HiGHS prints a licence notice).
BANNER = re.compile(r"(?i)copyright|licen[cs]e terms|third[- ]party software")
NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def output_text(cell) -> str:
    """Everything a code cell shows as text (streams, results, errors)."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def explains_nan(cell) -> bool:
    """A markdown cell that mentions NaN, or a printed line saying why a value is NaN."""
    if cell.cell_type == "markdown":
        return bool(NAN.search(cell.source))
    return any(re.search(r"(?i)\bis nan\b|\bnan means\b", line)
               for out in cell.get("outputs", []) for line in out.get("text", "").splitlines())


def check_outputs(nb) -> list[str]:
    """Problems in an executed notebook: banners, and NaN shown with no explanation beside it."""
    problems = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        text = output_text(cell)
        if BANNER.search(text):
            problems.append(f"cell {i}: a third-party banner in the output: "
                            f"{BANNER.search(text).group(0)!r}")
        if NAN.search(text):
            near = [cells[j] for j in (i - 1, i, i + 1, i + 2) if 0 <= j < len(cells)]
            if not any(explains_nan(c) for c in near):
                problems.append(f"cell {i}: shows NaN with no explanation beside it")
    return problems


def test_check_outputs_finds_banners_and_unexplained_nan():
    bad = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="Running HiGHS: Copyright (c) under MIT licence terms")]),
        nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/plain": "rate    NaN"})]),
    ])
    assert len(check_outputs(bad)) == 2
    bad.cells.append(nbformat.v4.new_markdown_cell("The rate is NaN: nothing to divide by."))
    assert len(check_outputs(bad)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_from_anywhere_with_clean_outputs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    assert check_outputs(nb) == []
    assert list(tmp_path.iterdir()) == []  # writes nothing where it runs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_outputs_are_clean(path):
    # the executed copies in the repository are what a reader sees on GitHub
    assert check_outputs(nbformat.read(path, as_version=4)) == []
