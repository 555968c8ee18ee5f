"""The runnable examples in the docstrings of abm's modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["abm", "abm.params", "abm.rules", "abm.roster", "abm.episodes", "abm.agents",
           "abm.model", "abm.metrics", "abm.results", "abm.levers", "abm.experiments",
           "abm._validate", "abm.data", "abm.packed", "abm.stages", "abm.stages.admission",
           "abm.stages.outcome", "abm.stages.capacity", "abm.stages.choice", "abm.day",
           "abm.equity", "abm.panels", "abm.calibration", "abm.sampling"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
