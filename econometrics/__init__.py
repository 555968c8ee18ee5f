"""Difference-in-differences estimators for consortium reforms."""

__version__ = "0.1.0"
