"""The entry points that start local Dask workers run however a user runs Python.

``abm.sweep``, ``abm.validate``, ``abm.calibrate`` and ``abm.reform_panel`` with the default
local workers (``scheduler=None``) from a plain script without ``if __name__ == "__main__":``;
the sweep (through which the other three start their workers, :func:`abm.runs.experiments.
local_cluster`) also from ``python -c``, from standard input and in a notebook. Each runs in a
fresh process started outside the repository.
"""

import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

#: A sweep with the default local workers (two processes).
SWEEP = textwrap.dedent("""
    import abm
    small = abm.preset("small")
    runs = abm.sweep({"base": small, "reform": small.with_reform("compact_consortium", day=5)},
                     seeds=[1, 2], days=20, progress=False)
    print("OK", len(runs))
""")
#: The four entry points with tiny settings and the default local workers.
ALL_FOUR = SWEEP + textwrap.dedent("""
    table = abm.validate("small", seeds=[1], scale=None, facts=["visits_per_capita"],
                         progress=False)
    fit = abm.calibrate("small", parameters={"choice.asc_self_care": (3.0, 5.0)},
                        targets=["forgone_care_rate"], budget=8, batch=4, scale=10,
                        progress=False, seed=5)
    panel = abm.reform_panel(2, years=2, start_year=2018, scale=2000, seed=1,
                             adoption={2019: 0.5}, progress=False)
    print("OK", len(table), len(fit.draws), len(panel.panel))
""")


def run(args: list[str], tmp_path, stdin: str | None = None) -> str:
    out = subprocess.run([sys.executable, *args], cwd=tmp_path, input=stdin, text=True,
                         capture_output=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_the_four_entry_points_run_from_a_script_without_a_main_guard(tmp_path):
    (tmp_path / "experiment.py").write_text(ALL_FOUR)
    assert run(["experiment.py"], tmp_path).split() == ["OK", "4", "OK", "1", "4", "4"]


@pytest.mark.slow
@pytest.mark.parametrize("way", ["-c", "stdin"])
def test_a_sweep_runs_from_the_command_line_and_standard_input(way, tmp_path):
    stdout = (run(["-c", SWEEP], tmp_path) if way == "-c"
              else run(["-"], tmp_path, stdin=SWEEP))
    assert stdout.split() == ["OK", "4"]


@pytest.mark.slow
def test_a_sweep_runs_in_a_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SWEEP)])
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert text.split() == ["OK", "4"], outputs
