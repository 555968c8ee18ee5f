"""`make figures` machinery: each paper pipeline runs at fast size, writing figures + sidecars,
and two clean builds give byte-identical figures."""

import json

import pytest

from papers import build


@pytest.mark.slow
@pytest.mark.parametrize("paper", build.discover())
def test_paper_pipeline_fast_is_byte_identical(paper, tmp_path):
    # Two clean builds (separate output folders, so nothing is cached) of the fast variant.
    first = build.run_paper(paper, fast=True, out=tmp_path / "first")
    second = build.run_paper(paper, fast=True, out=tmp_path / "second")
    assert first, f"paper {paper} defines no figures"
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.stat().st_size > 10_000
        # Every PNG byte-identical. The JSON sidecars carry no timestamp, so they are compared
        # too (as parsed JSON).
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two clean builds"
        meta = json.loads(a.with_suffix(".json").read_text())
        assert meta == json.loads(b.with_suffix(".json").read_text())
        assert meta["git_revision"] and meta["packages"]["numpy"]


def test_png_metadata_has_no_version_or_date(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = tmp_path / "f.png"
    build.save_figure(fig, path)
    plt.close(fig)
    with Image.open(path) as img:
        text = dict(img.text)
    assert "Software" not in text
    assert not any("date" in key.lower() or "time" in key.lower() for key in text)


def test_config_hash_is_order_independent():
    assert build.config_hash({"a": 1, "b": 2}) == build.config_hash({"b": 2, "a": 1})
    assert build.config_hash({"a": 1}) != build.config_hash({"a": 2})
