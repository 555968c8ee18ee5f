"""Paper figure pipelines. Run every one with ``make figures`` (``python -m papers.build``)."""
