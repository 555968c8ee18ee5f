"""`make figures` machinery: each paper pipeline runs at fast size, writing figures + sidecars."""

import json

import pytest

from papers import build


@pytest.mark.slow
@pytest.mark.parametrize("paper", build.discover())
def test_paper_pipeline_fast(paper, tmp_path):
    figures = build.run_paper(paper, fast=True, out=tmp_path)
    assert figures, f"paper {paper} defines no figures"
    for png in figures:
        assert png.stat().st_size > 10_000
        meta = json.loads(png.with_suffix(".json").read_text())
        assert meta["git_revision"] and meta["packages"]["numpy"]


def test_config_hash_is_order_independent():
    assert build.config_hash({"a": 1, "b": 2}) == build.config_hash({"b": 2, "a": 1})
    assert build.config_hash({"a": 1}) != build.config_hash({"a": 2})
