"""The runnable examples in the docstrings of abm's modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["abm", "abm.inputs.params", "abm.engine.rules", "abm.inputs.roster",
           "abm.engine.episodes", "abm.engine.agents", "abm.engine.model", "abm.engine.metrics",
           "abm.runs.results", "abm.runs.levers", "abm.runs.experiments", "abm.inputs.checks",
           "abm.inputs.data", "abm.engine.packed", "abm.engine.stages",
           "abm.engine.stages.admission", "abm.engine.stages.outcome",
           "abm.engine.stages.capacity", "abm.engine.stages.choice", "abm.engine.day",
           "abm.engine.equity", "abm.runs.panels", "abm.fitting.calibration",
           "abm.inputs.posterior", "abm.engine.sampling"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
