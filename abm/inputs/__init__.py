"""The model's inputs: parameters, data, tiers, rosters, argument checks, the shipped posterior.

The lowest layer: it imports nothing else of ``abm`` (see the import-linter contracts in
pyproject.toml).
"""
