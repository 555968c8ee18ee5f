"""The runnable examples in the docstrings of econometrics' modules run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["econometrics", "econometrics._panel", "econometrics.results", "econometrics.twfe",
           "econometrics.bacon", "econometrics.inference", "econometrics.simulate",
           "econometrics.cs", "econometrics.sunab", "econometrics.imputation",
           "econometrics.compare", "econometrics.pmc", "econometrics.lab",
           "econometrics.registry", "econometrics.synth", "econometrics.synthdid",
           "econometrics.honest", "econometrics.dcdh", "econometrics.cs.attgt",
           "econometrics.cs.aggte", "econometrics.cs.drdid", "econometrics.cs.mboot"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
