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


def test_readme_states_the_recorded_build_time():
    # The sentence on the full build's time is made from the recorded clean build
    # (papers/build_time.json, written by `python -m papers.build --record`): README must say
    # exactly that, so a re-measurement that is not carried into README fails here.
    import re

    record = json.loads(build.RECORD_PATH.read_text())
    assert record["clean"] and not record["fast"]
    assert record["figures"] == sum(p["figures"] for p in record["papers"])
    assert sorted(p["paper"] for p in record["papers"]) == build.discover()
    readme = " ".join((build.PAPERS_DIR.parent / "README.md").read_text().split())
    sentence = build.readme_sentence(record)
    assert sentence in readme, sentence
    assert not re.search(r"an hour or more|not re-measured", readme)


def test_build_summary_names_every_paper(tmp_path, capsys, monkeypatch):
    # A fast build of one paper prints its progress and ends with the summary; the summary
    # file has the fields README's sentence is made from.
    monkeypatch.setattr(build, "SUMMARY_PATH", tmp_path / "build_summary.json")
    monkeypatch.setattr(build, "RECORD_PATH", tmp_path / "build_time.json")
    out = tmp_path / "out"
    monkeypatch.setattr(build, "build_paper", _redirect(build.build_paper, out))
    assert build.main(["--fast", "--paper", "policy_pmc"]) == 0
    text = capsys.readouterr().out
    assert "[policy_pmc] 1/2 codings: computing ..." in text
    assert "[policy_pmc] done: 3 figures in " in text
    assert "Build summary (fast size, clean: every experiment computed):" in text
    summary = json.loads((tmp_path / "build_summary.json").read_text())
    assert [p["paper"] for p in summary["papers"]] == ["policy_pmc"]
    paper = summary["papers"][0]
    # Times are measurements: `make bench BENCH=build` prints them; nothing here depends on them.
    assert paper["figures"] == 3 and paper["computed"] == ["codings", "effects"]
    assert summary["conditions"]["cpus"] >= 1
    assert build.readme_sentence(summary).startswith(f"Measured on {summary['date']}")


def _redirect(fn, out):
    def run(paper, **kwargs):
        return fn(paper, **{**kwargs, "out": out / paper})
    return run


def test_record_needs_the_full_build_of_every_paper(capsys):
    with pytest.raises(SystemExit) as exc:
        build.main(["--fast", "--record"])
    assert exc.value.code == 2
    assert "--record measures the full build of every paper" in capsys.readouterr().err


def test_build_docstring_examples():
    import doctest

    assert doctest.testmod(build, optionflags=doctest.ELLIPSIS).failed == 0
