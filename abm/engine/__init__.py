"""The engine: rules, the day's compiled stages, episodes, draws, agents, the model, its metrics.

Imports only :mod:`abm.inputs` below it.
"""
