"""One shape for a lever (issue 25, item 2): knobs from the parameters' marks, one stage
signature, named counters, one table of the stages' order."""

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import abm.engine
from abm import preset
from abm.engine.day import FACILITY_COUNTERS, ROW
from abm.engine.episodes import KNOB_SOURCES, Knobs, Secular, knobs
from abm.engine.stages import STAGES, process_episodes
from abm.inputs.params import GROUP_TYPES, Incentives

ROOT = Path(__file__).resolve().parents[2]
MARKED = [(group, f) for group, cls in (*GROUP_TYPES.items(), ("secular", Secular))
          for f in dataclasses.fields(cls) if f.metadata.get("knob")]


def test_knobs_are_the_marked_fields_once_each():
    assert len(MARKED) == len(Knobs._fields) == len(set(Knobs._fields))
    assert [(g, f.name) for g, f in MARKED] == [(g, n) for _, g, n, _ in KNOB_SOURCES]


@pytest.mark.parametrize(("group", "name"), [(g, f.name) for g, f in MARKED
                                             if g not in ("secular",)])
def test_each_knob_follows_its_field(group, name):
    """Changing a marked field changes its knob, and only its knob."""
    p = preset("small")
    inc = p.incentives
    before = knobs(p, inc, Secular())
    value = getattr(getattr(p, group), name)
    if isinstance(value, tuple):  # a distribution stays one: move mass between two classes
        new = list(value)
        new[int(np.argmax(value))] -= 0.001
        new[int(np.argmin(value))] += 0.001
    elif isinstance(value, int):
        new = value + 1
    else:  # halfway to the lower end of the range, else to the upper
        lo, hi = dict((f.name, f.metadata["range"]) for f in
                      dataclasses.fields(GROUP_TYPES[group]))[name]
        new = (value + lo) / 2 if lo is not None and lo < value else (value + hi) / 2
    q = p.replace(**{f"{group}.{name}": new})
    after = knobs(q, q.incentives, Secular())
    changed = [f for f, a, b in zip(Knobs._fields, before, after, strict=True)
               if not np.array_equal(a, b)]
    knob = next(k for k, g, n, _ in KNOB_SOURCES if (g, n) == (group, name))
    assert changed == [knob]


def test_levers_are_read_from_the_incentives_in_force():
    p = preset("small")
    k = knobs(p, Incentives(information_platform=0.7), Secular(cost=0.5, travel=2.0))
    assert (k.information_platform, k.cost_factor, k.travel_factor) == (0.7, 0.5, 2.0)
    assert knobs(p, p.incentives, Secular()).information_platform == 0.0


def test_every_stage_has_the_one_signature():
    for name, stage in STAGES:
        assert list(inspect.signature(stage.py_func).parameters) == ["e", "s", "k", "t"], name


#: The day's named tuples: a compiled function taking one compiles its flattened fields anew.
DAY_TUPLES = {"Batch", "ContinuedCare", "County", "DayResult", "Draws", "Episodes",
              "FacilityView", "Ill", "Knobs", "PhysicianState", "State"}


def test_compiled_functions_taking_the_days_tuples_are_inlined_into_their_callers():
    # each such function compiled on its own costs seconds of a fresh compile (README, Speed);
    # process_episodes stays a function of its own (inlining it saved nothing)
    takers = {}
    for info in pkgutil.walk_packages(abm.engine.__path__, "abm.engine."):
        module = importlib.import_module(info.name)
        for name, f in vars(module).items():
            if isinstance(f, CPUDispatcher) and f.py_func.__module__ == info.name:
                params = inspect.signature(f.py_func).parameters.values()
                if any(str(p.annotation) in DAY_TUPLES for p in params):
                    takers[name] = f.targetoptions.get("inline")
    assert len(takers) > 20 and takers.pop("process_episodes") is None
    assert {n for n, how in takers.items() if how != "always"} == set()


def test_the_day_calls_the_stages_of_the_table_in_its_order():
    # process_episodes writes the calls out (faster to compile than a loop over the table): they
    # must be STAGES's functions, each once, in its order, each with the one signature's arguments
    tree = ast.parse(textwrap.dedent(inspect.getsource(process_episodes.py_func)))
    calls = sorted((c.lineno, ast.unparse(c.func)) for c in ast.walk(tree)
                   if isinstance(c, ast.Call) and ast.unparse(c).endswith("(e, s, k, t)"))
    table = [f"{stage.py_func.__module__.rsplit('.', 1)[1]}.{stage.py_func.__name__}"
             for _, stage in STAGES]
    assert [name for _, name in calls] == table


def test_the_docs_list_the_stages_in_the_order_the_day_runs_them():
    odd = (ROOT / "docs" / "odd.md").read_text()
    block = odd[odd.index("4. **Stages**"):odd.index("5. **Write back**")]
    named = re.findall(r"(?<![*\w])\*([a-z][^*]+)\*(?![*\w])", block)
    assert named == ["facility choice or self-treatment", *(name for name, _ in STAGES)]


def test_counter_rows_are_named_from_the_one_table():
    assert ROW._fields == FACILITY_COUNTERS
    assert list(ROW) == list(range(len(FACILITY_COUNTERS)))
