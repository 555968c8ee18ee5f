"""Runs of the model: results, sweeps (experiments), lever sweeps, reform panels, state checks.

Imports :mod:`abm.engine` and :mod:`abm.inputs` below it.
"""
