"""The data package in datasets/: it validates, loads typed, and bad rows fail clearly."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.inputs import data
from abm.inputs.data import DatasetError

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT / "datasets"
CSV_RESOURCES = ["targets", "presets", "facilities_x_county", "facilities_yongan",
                 "facilities_baiyun", "reforms", "pmc_framework", "pmc_seed001_codings",
                 "pmc_seed001_scores", "county_distribution"]
#: Parquet resources (abm.calibrate's shipped posterior).
RESOURCES = [*CSV_RESOURCES, "posterior_x_county"]
PRESETS = ["x_county", "yongan", "baiyun"]
FACILITY_COLUMNS = ["facility_id", "name", "tier", "units", "physicians", "beds",
                    "daily_outpatient_capacity", "consortium_member", "in_county", "origin",
                    "source", "note"]

# Values the model relies on (the fixed contract with abm): id -> value.
REQUIRED_TARGETS = {
    "upward_referral_rate": 0.073,
    "downward_referral_rate": 0.022,
    "primary_outpatient_share": 0.502,
    "visits_per_capita": 6.0,
    "county_internal_rate": 0.825,
    "family_doctor_contract_rate_baiyun": 0.30,
}


# ------------------------------------------------------------------------------------------
# The shipped package


def test_datasets_dir_is_the_clone_folder():
    # In a clone (editable install) there is no abm/_datasets, so the repository folder is used.
    assert not (ROOT / "abm" / "_datasets").exists()
    assert data.datasets_dir() == DATASETS


def test_every_resource_validates():
    counts = data.validate()
    assert list(counts) == RESOURCES
    assert all(n > 0 for n in counts.values())


@pytest.mark.parametrize("name", CSV_RESOURCES)
def test_each_resource_validates_by_name_and_by_path(name):
    assert data.validate(name) == {name: len(data.load(name))}
    path = DATASETS / f"{name}.csv"
    assert data.validate(path) == data.validate(str(path))


def test_descriptor_documents_every_field_and_source():
    pkg = json.loads((DATASETS / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["name"] for r in pkg["resources"]] == RESOURCES
    for res in pkg["resources"]:
        assert (DATASETS / res["path"]).is_file()
        assert res["sources"] and all(s["title"] for s in res["sources"])
        # cited by title (and section or public URL), never by a path outside the repository
        assert not any(p in json.dumps(res["sources"]) for p in ("shared/", "DESIGN.md"))
        for field in res["schema"]["fields"]:
            assert field["type"] in {"string", "integer", "number", "boolean"}
            assert field["description"]
            if field["type"] in {"integer", "number"}:
                assert field["unit"], (res["name"], field["name"])
    # every CSV in the folder is a declared resource
    declared = {r["path"] for r in pkg["resources"]}
    assert {p.name for p in DATASETS.glob("*.csv")} | {p.name for p in
                                                        DATASETS.glob("*.parquet")} == declared


def test_loaders_return_typed_frames():
    targets = data.load_targets()
    assert targets.index.name == "id"
    assert targets["value"].dtype == np.float64
    presets = data.load_presets()
    assert list(presets.index) == PRESETS
    assert presets["residents"].dtype == np.int64
    assert presets["villages"].dtype == np.int64
    assert presets["family_doctor_contract_rate"].dtype == np.float64
    for preset in PRESETS:
        fac = data.load_facilities(preset)
        assert list(fac.columns) == FACILITY_COLUMNS
        for col in ("units", "physicians", "beds", "daily_outpatient_capacity"):
            assert fac[col].dtype == np.int64, (preset, col)
        assert fac["consortium_member"].dtype == np.bool_
        assert fac["in_county"].dtype == np.bool_
        # every roster names where care that leaves the county goes
        assert (~fac["in_county"]).any()
        assert fac["facility_id"].is_unique


def test_load_returns_a_copy():
    first = data.load("targets")
    first.loc[0, "value"] = -1.0
    assert data.load("targets").loc[0, "value"] == pytest.approx(0.073)


@pytest.mark.parametrize(("target_id", "value"), REQUIRED_TARGETS.items())
def test_required_targets(target_id, value):
    assert data.target(target_id) == pytest.approx(value)
    assert isinstance(data.target(target_id), float)


def test_targets_content():
    t = data.load_targets()
    assert set(t["role"]) == {"calibrate", "validate"}
    fractions = t.loc[t["unit"] == "fraction", "value"]
    assert fractions.between(0, 1).all()  # rates are fractions, never percents
    expected = {
        "cost_per_visit_tertiary": 333, "cost_per_visit_secondary": 222,
        "cost_per_visit_community": 166, "cost_per_visit_township": 85,
        "gatekeeping_primary_visits_change": 0.55, "gatekeeping_hospital_visits_change": -0.24,
        "luxian_downward_referral_growth_2023": 0.61,
        "reimbursement_premium_primary_min": 0.10, "reimbursement_premium_primary_max": 0.20,
        "reserved_referral_share_min": 0.20,
        "physicians_unaware_subordinate_status": 0.5882, "physicians_process_too_complex": 0.5294,
        "patients_criterion_technical_expertise": 0.8077,
        "patients_criterion_infrastructure": 0.6154,
        "referral_rate_china_max": 0.05, "referral_rate_abroad_min": 0.10,
        "referral_rate_abroad_max": 0.30,
    }
    for key, value in expected.items():
        assert t.at[key, "value"] == pytest.approx(value), key
    assert "band" in t.at["primary_outpatient_share", "note"]  # 0.50-0.60 calibration band
    assert t.at["primary_outpatient_share_band_min", "value"] == pytest.approx(0.50)
    assert t.at["primary_outpatient_share_band_max", "value"] == pytest.approx(0.60)
    assert t.loc["cost_per_visit_tertiary", "unit"] == "yuan per visit"
    assert t.loc["visits_per_capita", "unit"] == "visits per person-year"


def test_rosters_match_the_sources():
    x = data.load_facilities("x_county")
    members = x[x["consortium_member"] & (x["tier"] != "village")]
    assert members["units"].sum() == 20  # 4 county-level hospitals + 16 primary (seed 002, 1.2)
    assert members.loc[members["tier"].isin(["county_general", "county"]), "units"].sum() == 4
    y = data.load_facilities("yongan").groupby("tier")["units"].sum()
    assert (y["county_general"], y["county"], y["township"], y["village"]) == (1, 2, 15, 155)
    yf = data.load_facilities("yongan")
    township = yf[yf["tier"] == "township"]
    assert (township["units"] * township["physicians"]).sum() == 223  # contracted physicians
    b = data.load_facilities("baiyun").groupby("tier")["units"].sum()
    assert (b["county_general"], b["township"], b["village"]) == (1, 3, 18)
    p = data.load_presets()
    assert p.at["x_county", "residents"] == 450_000
    assert p.at["baiyun", "residents"] == 400_000
    assert p.at["baiyun", "family_doctor_contract_rate"] == pytest.approx(0.30)
    assert pd.isna(p.at["yongan", "reform_year"])


def test_assumptions_are_marked_and_explained():
    for preset in PRESETS:
        fac = data.load_facilities(preset)
        assert set(fac["origin"]) <= {"source", "assumption", "mixed"}
        explained = fac.loc[fac["origin"] != "source", "note"]
        assert explained.str.len().gt(20).all(), preset


# ------------------------------------------------------------------------------------------
# Unknown names


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid resources: targets, presets, facilities_x_county"):
        data.load("nope")
    with pytest.raises(ValueError, match="valid presets: x_county, yongan, baiyun"):
        data.load_facilities("atlantis")
    with pytest.raises(ValueError, match=r"valid ids: .*upward_referral_rate"):
        data.target("no_such_fact")
    with pytest.raises(ValueError, match="valid resources"):
        data.validate("nope")


def test_a_file_named_after_no_resource_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    shutil.copy(DATASETS / "targets.csv", path)
    with pytest.raises(ValueError, match="cannot tell which resource"):
        data.validate(path)
    assert data.validate(path, resource="targets") == {"targets": len(data.load("targets"))}


# ------------------------------------------------------------------------------------------
# Bad copies fail with file, row and field


def _bad_copy(tmp_path, name, row, field, value):
    """Copy datasets/<name>.csv to tmp_path with one cell changed (row is 1-based)."""
    text = (DATASETS / f"{name}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    rows[row][rows[0].index(field)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / f"{name}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


BAD_CELLS = [
    # (resource, data row, field, bad value, expectation in the message)
    ("targets", 1, "value", "7.3%", "expected a number"),
    ("targets", 2, "value", "", "expected a value"),
    ("targets", 3, "role", "fit", "expected one of calibrate, validate"),
    ("targets", 1, "value", "7.3", "expected a value in the range 0 <= value <= 1"),
    ("targets", 4, "id", "Upward Rate", "pattern"),
    ("presets", 1, "family_doctor_contract_rate", "30", "range 0 <= value <= 1"),
    ("presets", 2, "residents", "350000.5", "expected an integer"),
    ("presets", 3, "reform_year", "18", "range 1990 <= value <= 2100"),
    ("facilities_x_county", 1, "units", "0", "range 1 <= value <= inf"),
    ("facilities_x_county", 2, "tier", "hospital", "expected one of provincial, county_general"),
    ("facilities_yongan", 3, "physicians", "-1", "range 0 <= value <= inf"),
    ("facilities_yongan", 2, "consortium_member", "yes", "expected a boolean"),
    ("facilities_baiyun", 2, "daily_outpatient_capacity", "", "expected a value"),
    ("facilities_baiyun", 3, "origin", "guess", "expected one of source, assumption, mixed"),
    ("facilities_baiyun", 4, "note", "", "a note saying what is assumed"),
]


@pytest.mark.parametrize(("name", "row", "field", "value", "expected"), BAD_CELLS)
def test_bad_cell_names_file_row_and_field(tmp_path, name, row, field, value, expected):
    path = _bad_copy(tmp_path, name, row, field, value)
    with pytest.raises(DatasetError) as info:
        data.validate(path)
    message = str(info.value)
    assert f"{name}.csv" in message
    assert f"row {row} " in message
    assert f"field '{field}'" in message
    assert expected in message


def test_duplicate_key_is_refused(tmp_path):
    first_id = data.load("facilities_baiyun").loc[0, "facility_id"]
    path = _bad_copy(tmp_path, "facilities_baiyun", 2, "facility_id", first_id)
    with pytest.raises(DatasetError, match=r"facilities_baiyun\.csv, row 2 .*field 'facility_id'"
                                           r".*unique value \(already in row 1\)"):
        data.validate(path)


def test_wrong_header_is_refused(tmp_path):
    text = (DATASETS / "presets.csv").read_text(encoding="utf-8")
    path = tmp_path / "presets.csv"
    path.write_text(text.replace("villages", "village_count", 1), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"presets\.csv, header: expected the columns "
                                           r"preset, residents, villages"):
        data.validate(path)


def test_missing_column_in_a_row_is_refused(tmp_path):
    lines = (DATASETS / "targets.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = "downward_referral_rate,0.022"
    path = tmp_path / "targets.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"row 2 \(id=downward_referral_rate\).*expected 9 "
                                           r"values, got 2"):
        data.validate(path)


def _package_copy(tmp_path, monkeypatch):
    """A copy of datasets/ that abm.inputs.data reads instead of the shipped one."""
    folder = tmp_path / "datasets"
    shutil.copytree(DATASETS, folder)
    monkeypatch.setattr(data, "datasets_dir", lambda: folder)
    return folder


def _add_resource(folder, name, header, rows, fields, **schema):
    (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    pkg["resources"].append({"name": name, "path": f"{name}.csv",
                             "profile": "tabular-data-resource", "sources": [{"title": "test"}],
                             "schema": {"fields": fields, **schema}})
    (folder / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")


LINK_FIELDS = [
    {"name": "link", "type": "string", "description": "key", "constraints": {"required": True}},
    {"name": "target_id", "type": "string", "description": "a targets id"},
    {"name": "origin", "type": "string", "description": "provenance"},
    {"name": "note", "type": "string", "description": "what is assumed"},
]


def test_foreign_keys_between_files_are_checked(tmp_path, monkeypatch):
    # Any foreign key declared in datapackage.json is checked (frictionless), naming the row.
    folder = _package_copy(tmp_path, monkeypatch)
    _add_resource(folder, "links", "link,target_id,origin,note",
                  ["a,upward_referral_rate,source,", "b,no_such_target,source,"], LINK_FIELDS,
                  primaryKey=["link"],
                  foreignKeys=[{"fields": "target_id",
                                "reference": {"resource": "targets", "fields": "id"}}])
    with pytest.raises(DatasetError, match=r"links\.csv, row 2 \(link=b\).*field 'target_id'.*"
                                           r"no_such_target"):
        data.validate()
    with pytest.raises(DatasetError, match=r"row 2 \(link=b\)"):
        data.validate("links")  # one resource is still checked against the others


def test_row_rules_apply_to_every_resource_with_their_columns(tmp_path, monkeypatch):
    # A resource the validator has never heard of gets the provenance rule from its columns.
    folder = _package_copy(tmp_path, monkeypatch)
    _add_resource(folder, "links", "link,target_id,origin,note",
                  ["a,x,source,", "b,y,assumption,"], LINK_FIELDS, primaryKey=["link"])
    with pytest.raises(DatasetError, match=r"links\.csv, row 2 \(link=b\) \[line 3\], field "
                                           r"'note': expected a note saying what is assumed"):
        data.validate()


def test_every_problem_is_listed(tmp_path):
    path = _bad_copy(tmp_path, "targets", 1, "value", "7.3%")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[3][rows[0].index("role")] = "fit"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        data.validate(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert "row 1 " in lines[0] and "field 'value'" in lines[0]
    assert "row 3 " in lines[1] and "field 'role'" in lines[1]


def test_descriptor_documentation_rules(tmp_path, monkeypatch):
    folder = _package_copy(tmp_path, monkeypatch)
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    del pkg["resources"][1]["schema"]["fields"][1]["unit"]
    (folder / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"resource 'presets', field 'residents': numeric "
                                           r"fields need a 'unit'"):
        data.validate()


def test_load_of_a_cell_that_does_not_parse_names_it(tmp_path, monkeypatch):
    folder = _package_copy(tmp_path, monkeypatch)
    shutil.copy(_bad_copy(tmp_path, "presets", 2, "residents", "350,000"), folder / "presets.csv")
    with pytest.raises(DatasetError, match=r"presets\.csv, row 2 \(preset=yongan\).*field "
                                           r"'residents': expected an integer"):
        data.load("presets")


# ------------------------------------------------------------------------------------------
# Command line (make data)


def test_command_line_validates_everything():
    out = subprocess.run([sys.executable, "-m", "abm.inputs.data"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(RESOURCES)
    for name, line in zip(RESOURCES, lines, strict=True):
        assert re.match(rf"ok\s+{name}\s+\d+ rows", line), line


def test_command_line_reports_a_bad_file_without_traceback(tmp_path):
    path = _bad_copy(tmp_path, "targets", 1, "value", "abc")
    out = subprocess.run([sys.executable, "-m", "abm.inputs.data", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert re.search(r"error: .*targets\.csv, row 1 \(id=upward_referral_rate\).*field 'value'",
                     out.stderr)


def test_generators_hook_exists():
    assert isinstance(data.GENERATORS, dict)


# ------------------------------------------------------------------------------------------
# The wheel ships the data package


def _build_wheel(out_dir: Path) -> Path:
    uv = Path(sys.executable).parent / "uv"
    uv_cmd = str(uv) if uv.exists() else shutil.which("uv")
    if uv_cmd:
        cmd = [uv_cmd, "build", "--wheel", "--python", sys.executable, "--no-python-downloads",
               "-o", str(out_dir), str(ROOT)]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out_dir), str(ROOT)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("wheel build timed out (build backend could not be fetched in time)")
    if res.returncode != 0:
        pytest.skip(f"could not build the wheel (is the hatchling build backend reachable?): "
                    f"{res.stderr.strip()[-300:]}")
    wheels = list(out_dir.glob("*.whl"))
    assert len(wheels) == 1, res.stdout
    return wheels[0]


def test_wheel_ships_the_data_package(tmp_path):
    wheel = _build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "abm/_datasets/datapackage.json" in names
        assert "abm/_datasets/README.md" in names
        for name in CSV_RESOURCES:
            assert f"abm/_datasets/{name}.csv" in names
        assert "abm/_datasets/posterior_x_county.parquet" in names
        assert "abm/inputs/data.py" in names
        assert "abm/apps/templates/report.html.j2" in names  # package data of the layers
        assert "abm/apps/design_library/yongan_measures.toml" in names
        zf.extractall(tmp_path / "unpacked")
    # Import abm from the unpacked wheel (not installed): it must find abm/_datasets.
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "unpacked")}
    code = ("from abm import data; print(data.datasets_dir()); "
            "print(sum(data.validate().values()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    folder, rows = out.stdout.split()
    assert Path(folder) == tmp_path / "unpacked" / "abm" / "_datasets"
    assert int(rows) == sum(data.validate().values())
