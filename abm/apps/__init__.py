"""The faces of the model: the command line, what-if designs, the HTML report, the dashboard.

The top layer: nothing else in ``abm`` imports it.
"""
