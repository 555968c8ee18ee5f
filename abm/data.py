"""The data package: find, validate and load the files in ``datasets/``.

``datasets/`` is a Frictionless data package (``datapackage.json`` + CSV files). This module
implements the small part of Frictionless Table Schema the package uses (types ``string``,
``integer``, ``number``, ``boolean``; constraints ``required``, ``minimum``, ``maximum``, ``enum``,
``unique``, ``pattern``; ``primaryKey``; a header that must equal the field list) plus a few
row rules of this project, with no dependency beyond pandas.

Examples
--------
>>> from abm import data
>>> data.target("upward_referral_rate")
0.073
>>> data.load_facilities("yongan").set_index("facility_id").loc["ya_village", "units"]
np.int64(155)
>>> sorted(data.load_presets().index)
['baiyun', 'x_county', 'yongan']

``python -m abm.data`` (``make data``) runs the generators and validates every resource.

"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GENERATORS",
    "DatasetError",
    "datasets_dir",
    "load",
    "load_facilities",
    "load_presets",
    "load_targets",
    "presets",
    "resource_names",
    "target",
    "validate",
]

DESCRIPTOR = "datapackage.json"

# Frictionless defaults: the empty string is missing; these spellings are booleans.
MISSING_VALUES = frozenset({""})
TRUE_VALUES = frozenset({"true", "True", "TRUE", "1"})
FALSE_VALUES = frozenset({"false", "False", "FALSE", "0"})
_INTEGER = re.compile(r"[+-]?[0-9]+")

#: Generated resources: resource name -> function that writes the file into the folder it is given.
#: ``python -m abm.data`` runs them all before validating. Empty until a later issue adds one
#: (e.g. a reference reform panel); every generated file still needs its entry in datapackage.json.
GENERATORS: dict[str, Callable[[Path], None]] = {}


class DatasetError(ValueError):
    """A data file does not match its schema; the message names file, row, field and expectation."""


def datasets_dir() -> Path:
    """Return the folder holding ``datapackage.json``.

    First the copy shipped inside an installed wheel (``abm/_datasets``, force-included by
    pyproject), then the repository's ``datasets/`` next to the ``abm`` package of a clone or an
    editable install.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_datasets", here.parent / "datasets"):
        if (candidate / DESCRIPTOR).is_file():
            return candidate
    raise FileNotFoundError(
        f"data package not found: looked for {DESCRIPTOR} in {here / '_datasets'} "
        f"(installed wheel) and {here.parent / 'datasets'} (clone)"
    )


# --------------------------------------------------------------------------------------------
# Descriptor


def _descriptor(folder: Path | None = None) -> dict[str, Any]:
    folder = datasets_dir() if folder is None else folder
    path = folder / DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from exc


def _resources(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in _descriptor(folder)["resources"]}


def resource_names() -> list[str]:
    """Names of the resources declared in ``datapackage.json``, in declaration order."""
    return list(_resources())


def presets() -> list[str]:
    """Names of the presets that have a ``facilities_<preset>`` resource."""
    return [n.removeprefix("facilities_") for n in _resources() if n.startswith("facilities_")]


def _resource(name: str) -> dict[str, Any]:
    resources = _resources()
    if name not in resources:
        raise ValueError(f"unknown resource {name!r}; valid resources: {', '.join(resources)}")
    return resources[name]


def _check_descriptor(folder: Path) -> None:
    """Structural checks of datapackage.json: what every resource and field must carry."""
    where = folder / DESCRIPTOR
    pkg = _descriptor(folder)
    if not pkg.get("licenses"):
        raise DatasetError(f"{where}: the package needs a 'licenses' entry")
    for res in pkg.get("resources", []):
        name = res.get("name", "?")
        for key in ("name", "path", "schema", "sources"):
            if not res.get(key):
                raise DatasetError(f"{where}: resource {name!r} needs a non-empty {key!r}")
        for src in res["sources"]:
            if not src.get("title") or not (src.get("path") or src.get("section")):
                raise DatasetError(f"{where}: resource {name!r}: each source needs title and path")
        if not (folder / res["path"]).is_file():
            raise DatasetError(f"{where}: resource {name!r}: file {res['path']} is missing")
        for fld in res["schema"]["fields"]:
            label = f"{where}: resource {name!r}, field {fld.get('name')!r}"
            if fld.get("type") not in _PARSERS:
                raise DatasetError(f"{label}: type must be one of {', '.join(_PARSERS)}")
            if not fld.get("description"):
                raise DatasetError(f"{label}: needs a description")
            if fld["type"] in ("integer", "number") and not fld.get("unit"):
                raise DatasetError(f"{label}: numeric fields need a 'unit'")


# --------------------------------------------------------------------------------------------
# Validation: pure functions over rows of strings


@dataclass(frozen=True)
class _Cell:
    file: str
    row: int  # 1-based data row (the header is not counted); the file line is row + 1
    key: str | None
    field: str

    def error(self, expected: str, got: str) -> DatasetError:
        key = f" ({self.key})" if self.key else ""
        return DatasetError(
            f"{self.file}, row {self.row}{key} [line {self.row + 1}], field {self.field!r}: "
            f"expected {expected}, got {got!r}"
        )


def _parse_string(text: str, cell: _Cell) -> str:
    return text


def _parse_integer(text: str, cell: _Cell) -> int:
    if not _INTEGER.fullmatch(text):
        raise cell.error("an integer", text)
    return int(text)


def _parse_number(text: str, cell: _Cell) -> float:
    try:
        value = float(text)
    except ValueError:
        raise cell.error("a number (no % sign, no thousands separator)", text) from None
    if not math.isfinite(value):
        raise cell.error("a finite number", text)
    return value


def _parse_boolean(text: str, cell: _Cell) -> bool:
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise cell.error(f"a boolean ({'/'.join(sorted(TRUE_VALUES | FALSE_VALUES))})", text)


_PARSERS: dict[str, Callable[[str, _Cell], Any]] = {
    "string": _parse_string,
    "integer": _parse_integer,
    "number": _parse_number,
    "boolean": _parse_boolean,
}


def _check_constraints(value: Any, field: Mapping[str, Any], cell: _Cell, text: str) -> None:
    c = field.get("constraints", {})
    if "enum" in c and value not in c["enum"]:
        raise cell.error(f"one of {', '.join(map(str, c['enum']))}", text)
    if "pattern" in c and not re.fullmatch(c["pattern"], value):
        raise cell.error(f"text matching the pattern {c['pattern']}", text)
    lo, hi = c.get("minimum"), c.get("maximum")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"{'-inf' if lo is None else lo} <= value <= {'inf' if hi is None else hi}"
        raise cell.error(f"a value in the range {bounds}", text)


def validate_rows(
    file: str, header: list[str], rows: Iterable[list[str]], schema: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Validate CSV rows (lists of strings) against a Table Schema; return typed columns.

    Pure: reads nothing and writes nothing. ``file`` only labels error messages. Missing
    values come back as ``None``.
    """
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    if header != names:
        raise DatasetError(
            f"{file}, header: expected the columns {', '.join(names)} (in this order), "
            f"got {', '.join(header)}"
        )
    key_fields = list(schema.get("primaryKey", []))
    key_idx = [names.index(k) for k in key_fields]
    columns: dict[str, list[Any]] = {n: [] for n in names}
    seen_unique: dict[str, dict[Any, int]] = {n: {} for n in names}
    seen_keys: dict[tuple[Any, ...], int] = {}
    for i, row in enumerate(rows, start=1):
        key = ", ".join(f"{k}={row[j]}" for k, j in zip(key_fields, key_idx, strict=True)
                        if j < len(row)) or None
        if len(row) != len(names):
            raise DatasetError(
                f"{file}, row {i}{f' ({key})' if key else ''} [line {i + 1}]: expected "
                f"{len(names)} values, got {len(row)}"
            )
        for field, text in zip(fields, row, strict=True):
            name = field["name"]
            cell = _Cell(file, i, key, name)
            if text.strip() in MISSING_VALUES:
                if field.get("constraints", {}).get("required"):
                    raise cell.error(f"a value (required {field['type']})", text)
                columns[name].append(None)
                continue
            value = _PARSERS[field["type"]](text, cell)
            _check_constraints(value, field, cell, text)
            if field.get("constraints", {}).get("unique"):
                if value in seen_unique[name]:
                    raise cell.error(f"a unique value (already in row {seen_unique[name][value]})",
                                     text)
                seen_unique[name][value] = i
            columns[name].append(value)
        if key_fields:
            k = tuple(columns[n][-1] for n in key_fields)
            if k in seen_keys:
                raise DatasetError(f"{file}, row {i} ({key}) [line {i + 1}], primary key "
                                   f"{', '.join(key_fields)}: duplicate of row {seen_keys[k]}")
            seen_keys[k] = i
    return columns


# Row rules of this project, beyond Table Schema: resource kind -> checks over typed columns.
def _rule_note_for_assumptions(file: str, cols: dict[str, list[Any]], key: str) -> None:
    for i, (origin, note) in enumerate(zip(cols["origin"], cols["note"], strict=True), start=1):
        if origin in ("assumption", "mixed") and not note:
            raise _Cell(file, i, f"{key}={cols[key][i - 1]}", "note").error(
                f"a note saying what is assumed and why (origin is {origin})", note or "")


def _rule_fractions_in_unit_interval(file: str, cols: dict[str, list[Any]]) -> None:
    for i, (unit, value) in enumerate(zip(cols["unit"], cols["value"], strict=True), start=1):
        if unit == "fraction" and not 0.0 <= value <= 1.0:
            raise _Cell(file, i, f"id={cols['id'][i - 1]}", "value").error(
                "a value in the range 0 <= value <= 1 (unit is 'fraction': rates are "
                "fractions, not percents)", str(value))


def _row_rules(name: str, file: str, cols: dict[str, list[Any]]) -> None:
    if name == "targets":
        _rule_fractions_in_unit_interval(file, cols)
    elif name == "presets":
        _rule_note_for_assumptions(file, cols, "preset")
    elif name == "reforms":
        _rule_note_for_assumptions(file, cols, "parameter")
    elif name.startswith("facilities_"):
        _rule_note_for_assumptions(file, cols, "facility_id")


# --------------------------------------------------------------------------------------------
# Reading


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            rows = [row for row in reader if row]  # a trailing blank line is not a row
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc})") from exc
    return header, rows


def _frame(columns: dict[str, list[Any]], fields: list[dict[str, Any]]) -> pd.DataFrame:
    out: dict[str, Any] = {}
    for f in fields:
        values = columns[f["name"]]
        missing = any(v is None for v in values)
        match f["type"]:
            case "integer":
                out[f["name"]] = (pd.array(values, dtype="Int64") if missing
                                  else np.array(values, dtype=np.int64))
            case "number":
                out[f["name"]] = np.array([np.nan if v is None else v for v in values], float)
            case "boolean":
                out[f["name"]] = (pd.array(values, dtype="boolean") if missing
                                  else np.array(values, dtype=bool))
            case _:
                out[f["name"]] = pd.Series(values, dtype="str")  # missing -> NaN
    return pd.DataFrame(out)


def _label(path: Path) -> str:
    """Short file label for messages: datasets/<file> inside the package, else the full path."""
    try:
        return str(path.relative_to(datasets_dir().parent))
    except ValueError:
        return str(path)


_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}


def _load_path(path: Path, name: str) -> pd.DataFrame:
    path = Path(path)
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _CACHE:
        schema = _resource(name)["schema"]
        header, rows = _read_csv(path)
        label = _label(path)
        cols = validate_rows(label, header, rows, schema)
        _row_rules(name, label, cols)
        _CACHE[cache_key] = _frame(cols, schema["fields"])
    return _CACHE[cache_key].copy()  # callers may mutate their copy


def load(name: str) -> pd.DataFrame:
    """Load a resource by its name in datapackage.json, validated and typed.

    Integers come back as int64 (nullable Int64 where a value is missing), numbers as float64,
    booleans as bool, text as str.

    >>> load("presets").dtypes["residents"]
    dtype('int64')
    """
    res = _resource(name)
    return _load_path(datasets_dir() / res["path"], name)


def load_targets() -> pd.DataFrame:
    """Calibration targets and validation facts, indexed by ``id``."""
    return load("targets").set_index("id")


def load_presets() -> pd.DataFrame:
    """County presets, indexed by ``preset``."""
    return load("presets").set_index("preset")


def load_reforms() -> pd.DataFrame:
    """Named reform packages (one row per parameter path); see :func:`abm.reform_packages`."""
    return load("reforms")


def load_facilities(preset: str) -> pd.DataFrame:
    """Facility roster of a preset (one row per facility or group of identical ones).

    >>> load_facilities("baiyun")["tier"].tolist()[:2]
    ['provincial', 'county_general']
    """
    valid = presets()
    if preset not in valid:
        raise ValueError(f"unknown preset {preset!r}; valid presets: {', '.join(valid)}")
    return load(f"facilities_{preset}")


def target(id: str) -> float:  # noqa: A002 - the column is called id
    """Value of one target as a float (rates are fractions).

    >>> target("visits_per_capita")
    6.0
    """
    targets = load_targets()
    if id not in targets.index:
        raise ValueError(f"unknown target id {id!r}; valid ids: {', '.join(targets.index)}")
    return float(targets.at[id, "value"])


def _resource_for_path(path: Path, resource: str | None) -> str:
    if resource is not None:
        _resource(resource)
        return resource
    by_file = {Path(r["path"]).name: n for n, r in _resources().items()}
    if path.name not in by_file:
        raise ValueError(
            f"cannot tell which resource {path} is: name it after one of "
            f"{', '.join(by_file)} or pass resource=; valid resources: "
            f"{', '.join(by_file.values())}"
        )
    return by_file[path.name]


def validate(name_or_path: str | Path | None = None, *, resource: str | None = None
             ) -> dict[str, int]:
    """Validate one resource, one file, or (with no argument) the whole package.

    ``name_or_path`` is a resource name ("targets"), or a path to a CSV file whose schema is
    taken from the resource with the same file name (or from ``resource=``). Returns
    ``{resource name: number of rows}``; raises :class:`DatasetError` on the first problem.
    """
    if name_or_path is None:
        folder = datasets_dir()
        _check_descriptor(folder)
        counts = {n: len(load(n)) for n in _resources(folder)}
        _check_presets_match()
        return counts
    resources = _resources()
    if isinstance(name_or_path, str) and name_or_path in resources:
        return {name_or_path: len(load(name_or_path))}
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        raise ValueError(f"unknown resource {str(name_or_path)!r}; valid resources: "
                         f"{', '.join(resources)}")
    if not path.is_file():
        raise FileNotFoundError(f"no such data file: {path}")
    name = _resource_for_path(path, resource)
    return {name: len(_load_path(path, name))}


def _check_presets_match() -> None:
    in_table = list(load("presets")["preset"])
    with_roster = presets()
    if sorted(in_table) != sorted(with_roster):
        raise DatasetError(
            f"{_label(datasets_dir() / 'presets.csv')}: presets {', '.join(in_table)} do not "
            f"match the facilities_<preset> resources ({', '.join(with_roster)})"
        )


# --------------------------------------------------------------------------------------------
# Command line: python -m abm.data (make data)


def main(argv: list[str] | None = None) -> int:
    """Run the generators, validate, and print one line per resource; 1 on a bad file."""
    parser = argparse.ArgumentParser(
        prog="python -m abm.data",
        description="Regenerate generated datasets and validate the data package.",
    )
    parser.add_argument("targets", nargs="*", metavar="NAME_OR_PATH",
                        help="resources or CSV files to validate (default: all)")
    args = parser.parse_args(argv)
    try:
        folder = datasets_dir()
        if not args.targets:
            for name, generate in GENERATORS.items():
                print(f"generating {name}")
                generate(folder)
            validate()
        for item in args.targets or resource_names():
            res_name = item if item in _resources() else None
            path = folder / _resource(res_name)["path"] if res_name else Path(item)
            counts = validate(item)
            (name, n), = counts.items()
            fields = _resource(name)["schema"]["fields"]
            origin = ""
            if any(f["name"] == "origin" for f in fields):
                tally = _load_path(path, name)["origin"].value_counts()
                origin = ", " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
            print(f"ok  {name:<22} {n:>3} rows x {len(fields)} fields{origin}  ({_label(path)})")
    except (DatasetError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
