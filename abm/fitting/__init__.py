"""Fitting the model to facts: validation, calibration (history matching, importance sampling).

Imports :mod:`abm.runs`, :mod:`abm.engine` and :mod:`abm.inputs` below it.
"""
