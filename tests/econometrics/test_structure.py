"""The package's shape: one result family, no import cycle (registry included), no private name
imported across modules (issue 27)."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import econometrics as em
from econometrics import registry
from econometrics.results import ResultBase

matplotlib.use("Agg")

PACKAGE = Path(em.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``import`` / ``from ... import`` in the file, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    lazy = {name: f"econometrics.{mod}" for name, mod in em._LAZY.items()}
    graph = {m: set() for m in modules}
    for mod, path in modules.items():
        for target, names in _imports(path):
            if target == "econometrics":  # names resolved lazily by the package (PEP 562)
                graph[mod] |= {lazy[n] for n in names if n in lazy}
            elif target.startswith("econometrics.") and target in modules:
                graph[mod].add(target)
    graph["econometrics.registry"] |= {v.partition(":")[0] for v in registry.ESTIMATORS.values()}
    return {m: {t for t in ts if t != m and t != "econometrics"} for m, ts in graph.items()}


def test_no_import_cycle_registry_included():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, node, nxt]))
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert "econometrics.twfe" in graph["econometrics.registry"]  # the check can see edges


def test_no_private_name_is_imported_across_modules():
    offenders = [(str(p.relative_to(PACKAGE.parent)), target, name)
                 for p in PACKAGE.rglob("*.py") for target, names in _imports(p)
                 if target.startswith("econometrics") for name in names
                 if name.startswith("_")]
    assert offenders == []


@pytest.fixture(scope="module")
def results():
    df = em.simulate_panel(n_units=60, n_periods=7, cohorts=(3, 5), effect=1.0, seed=4)
    one = em.simulate_panel(n_units=30, n_periods=8, cohorts=(6,), effect=1.0,
                            never_treated=0.9, sigma=0.2, seed=1)
    kw = dict(y="y", unit="unit", time="time")
    es = em.event_study(df, **kw, cohort="cohort")
    cs = em.att_gt(df, **kw, cohort="cohort", bootstrap=0)
    honest = em.honest_did(es, m=[0.5])
    return {
        "twfe": em.twfe(df, **kw, treat="treat"),
        "event_study": es,
        "sun_abraham": em.event_study(df, **kw, cohort="cohort", estimator="sun_abraham"),
        "imputation": em.imputation(df, **kw, cohort="cohort"),
        "dcdh": em.event_study(df, **kw, cohort="cohort", estimator="dcdh"),
        "att_gt": cs,
        "aggregate": cs.aggregate("dynamic"),
        "bacon": em.bacon(df, **kw, cohort="cohort"),
        "synthetic_control": em.synthetic_control(one, **kw, treat="treat", replications=10,
                                                  seed=1),
        "synthetic_did": em.synthetic_did(one, **kw, treat="treat", replications=10, seed=1),
        "honest_did": honest,
        "compare": em.compare_estimators(df, **kw, cohort="cohort",
                                         estimators=["twfe", "imputation"]),
    }


NAMES = ["twfe", "event_study", "sun_abraham", "imputation", "dcdh", "att_gt", "aggregate",
         "bacon", "synthetic_control", "synthetic_did", "honest_did", "compare"]


@pytest.mark.parametrize("name", NAMES)
def test_every_result_shares_one_base(results, name):
    res = results[name]
    assert isinstance(res, ResultBase)
    assert len(res.tidy()) > 0 and res.tidy() is not res.table
    assert 0 < res.conf_level < 1
    text = res.summary()
    assert text.startswith(res._title()) and res.outcome in text.splitlines()[0]
    assert res.to_latex().count(r"\begin{tabular}") == 1
    assert res._repr_html_() == f"<pre>{text}</pre>" and str(res) == text
    ax = res.plot()
    assert ax is not None
    matplotlib.pyplot.close("all")
    assert np.isfinite(res.tidy().select_dtypes("number").to_numpy(dtype=float)).any()
