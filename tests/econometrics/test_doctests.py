"""The runnable examples in the docstrings of econometrics' modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["econometrics", "econometrics._panel", "econometrics.results", "econometrics.twfe",
           "econometrics.bacon", "econometrics.inference", "econometrics.simulate",
           "econometrics.cs", "econometrics.sunab", "econometrics.imputation",
           "econometrics.compare", "econometrics.pmc", "econometrics.lab"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
