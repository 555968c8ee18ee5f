"""The data package: find, validate and load the files in ``datasets/``.

``datasets/`` is a Frictionless data package (``datapackage.json`` + CSV files).
:func:`validate` (``make data``, the test suite) checks it with ``frictionless``, the reference
implementation of the standard: the descriptor, field types, constraints, primary keys and the
foreign keys between files, for every resource the descriptor declares. The few rules Table
Schema cannot express are checked here (:data:`RULES`): a ``note`` on every row whose ``origin``
is an assumption, rates in 0-1 where a row's ``unit`` is ``fraction``, one facility roster per
preset, a description for every field and a unit for every number. Every problem is reported
with file, row and field.

:func:`load` reads a resource typed by its schema with pandas, without importing frictionless
(which takes seconds to import): the model reads the package as validated by ``make data`` and
the tests. A cell that does not parse as its type makes :func:`load` run the validation of that
resource, so the error still names file, row and field.

Examples
--------
>>> from abm import data
>>> data.target("upward_referral_rate")
0.073
>>> data.load_facilities("yongan").set_index("facility_id").loc["ya_village", "units"]
np.int64(155)
>>> sorted(data.load_presets().index)
['baiyun', 'x_county', 'yongan']

``python -m abm.inputs.data`` (``make data``) runs the generators and validates every resource.

"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GENERATORS",
    "POSTERIOR_FILE",
    "DatasetError",
    "datasets_dir",
    "load",
    "load_facilities",
    "load_posterior_mode",
    "load_presets",
    "load_targets",
    "posterior_path",
    "posterior_provenance",
    "presets",
    "read_posterior",
    "resource_names",
    "write_posterior",
    "target",
    "validate",
]

DESCRIPTOR = "datapackage.json"

# Frictionless defaults: these spellings are booleans (the empty string is a missing value).
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
#: Field types the loader maps to dtypes (the descriptor check refuses any other).
DTYPES = {"string": "str", "integer": "int64", "number": "float64", "boolean": "bool"}

#: Generated resources: resource name -> function that writes the file into the folder it is given.
#: ``python -m abm.inputs.data`` runs them all before validating. Empty until a later issue adds one
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
    here = Path(__file__).resolve().parent.parent  # the abm package
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


def _descriptor_problems(pkg: Mapping[str, Any], where: str) -> Iterator[str]:
    """Yield what datapackage.json lacks of this project's documentation rules."""
    if not pkg.get("licenses"):
        yield f"{where}: the package needs a 'licenses' entry"
    for res in pkg.get("resources", []):
        name = res.get("name", "?")
        for key in ("schema", "sources"):
            if not res.get(key):
                yield f"{where}: resource {name!r} needs a non-empty {key!r}"
        if not all(src.get("title") for src in res.get("sources", [])):
            yield f"{where}: resource {name!r}: each source needs a title"
        for fld in res.get("schema", {}).get("fields", []):
            label = f"{where}: resource {name!r}, field {fld.get('name')!r}"
            if fld.get("type") not in DTYPES:
                yield f"{label}: type must be one of {', '.join(DTYPES)}"
            if not fld.get("description"):
                yield f"{label}: needs a description"
            if fld.get("type") in ("integer", "number") and not fld.get("unit"):
                yield f"{label}: numeric fields need a 'unit'"


# --------------------------------------------------------------------------------------------
# Validation with frictionless; its errors reworded to name file, row, key and field


def _cell_message(file: str, row: int, key: str | None, field: str | None, text: str) -> str:
    where = f"{file}, row {row}{f' ({key})' if key else ''} [line {row + 1}]"
    return f"{where}, field {field!r}: {text}" if field else f"{where}: {text}"


def _expectation(error: Any, field: Mapping[str, Any]) -> str:
    """Word a frictionless cell error as 'expected ..., got ...' from the field's schema."""
    got = "" if error.cell in (None, "None") else error.cell
    if error.type == "type-error":
        wanted = {"integer": "an integer", "boolean": "a boolean (true/false)",
                  "number": "a number (no % sign, no thousands separator)"}
        return f"expected {wanted.get(field['type'], 'a ' + field['type'])}, got {got!r}"
    if error.type == "unique-error":
        return f"expected a unique value (already in row {_position(error.note)}), got {got!r}"
    constraints = field.get("constraints", {})
    match = re.match(r'constraint "(\w+)"', error.note or "")
    constraint = match.group(1) if match else ""
    if constraint == "required":
        return f"expected a value (required {field['type']}), got {got!r}"
    if constraint == "enum":
        return f"expected one of {', '.join(map(str, constraints['enum']))}, got {got!r}"
    if constraint == "pattern":
        return f"expected text matching the pattern {constraints['pattern']}, got {got!r}"
    if constraint in ("minimum", "maximum"):
        lo, hi = constraints.get("minimum", "-inf"), constraints.get("maximum", "inf")
        return f"expected a value in the range {lo} <= value <= {hi}, got {got!r}"
    return f"expected {error.note}, got {got!r}"


def _position(note: str) -> int:
    """Return the data row of '... at position N' (frictionless counts the header as 1)."""
    match = re.search(r"position (\d+)", note or "")
    return int(match.group(1)) - 1 if match else 0


def _messages(file: str, errors: list[Any], schema: Mapping[str, Any]) -> Iterator[str]:
    """One message per problem: a wrong header, a row of the wrong length, or a bad cell."""
    fields = {f["name"]: f for f in schema["fields"]}
    names = list(fields)
    key_fields = list(schema.get("primaryKey", []))
    labels = [e for e in errors if e.type.endswith("-label")]
    if labels:
        yield (f"{file}, header: expected the columns {', '.join(names)} (in this order), "
               f"got {', '.join(map(str, labels[0].labels))}")
        return
    # A short or long row is reported once, by its length, not by each of its cells.
    bad_length = {e.row_number for e in errors if e.type in ("missing-cell", "extra-cell")}
    reported: set[int] = set()
    unique_rows: set[int] = set()
    for e in errors:
        row = getattr(e, "row_number", None)
        if row is None:  # a table-level error (e.g. the file cannot be read)
            yield f"{file}: {e.message}"
            continue
        cells = list(getattr(e, "cells", None) or [])
        key = ", ".join(f"{k}={cells[names.index(k)]}" for k in key_fields
                        if names.index(k) < len(cells)) or None
        if row in bad_length:
            if row not in reported:
                reported.add(row)
                yield _cell_message(file, row - 1, key, None,
                                    f"expected {len(names)} values, got {len(cells)}")
        elif e.type == "primary-key":
            if row not in unique_rows:
                yield _cell_message(file, row - 1, key, None,
                                    f"primary key {', '.join(key_fields)}: duplicate of row "
                                    f"{_position(e.note)}")
        elif e.type == "foreign-key":
            yield _cell_message(file, row - 1, key, ", ".join(e.field_names),
                                f"expected a value present in the referenced resource "
                                f"({e.note}), got {', '.join(map(str, e.field_cells))}")
        elif getattr(e, "field_name", None) in fields:
            if e.type == "unique-error" and e.field_name in key_fields:
                unique_rows.add(row)
            yield _cell_message(file, row - 1, key, e.field_name,
                                _expectation(e, fields[e.field_name]))
        else:
            yield _cell_message(file, row - 1, key, getattr(e, "field_name", None), e.message)


def _frictionless_problems(folder: Path, only: str | None = None, path: Path | None = None
                           ) -> tuple[list[str], dict[str, int]]:
    """Validate the package (or resource ``only``, read from ``path``) with frictionless.

    Returns the problems (messages) and the number of rows of each validated resource.
    """
    import frictionless  # seconds to import (it validates descriptors with jsonschema)

    pkg = _descriptor(folder)
    if path is not None:  # validate another copy of resource `only` against the package
        pkg = {**pkg, "resources": [{**r, "path": str(path.resolve())} if r["name"] == only
                                    else r for r in pkg["resources"]]}
    problems: list[str] = []
    rows: dict[str, int] = {}
    with frictionless.system.use_context(trusted=True):  # paths the user named are allowed
        try:
            package = frictionless.Package(pkg, basepath=str(folder))
        except frictionless.FrictionlessException as exc:
            reasons = [r.message for r in getattr(exc, "reasons", [])] or [str(exc)]
            return [f"{folder / DESCRIPTOR}: {r}" for r in reasons], rows
        names = [only] if only else [r.name for r in package.resources]
        for name in names:
            resource = package.get_resource(name)
            task = resource.validate(limit_errors=100).tasks[0]
            label = _label(Path(resource.normpath or resource.path))
            rows[name] = task.stats.get("rows") or 0
            problems += _messages(label, task.errors, _resources(folder)[name]["schema"])
    return problems, rows


# --------------------------------------------------------------------------------------------
# Project rules Table Schema cannot express: pure checks of one typed frame


def _key(frame: pd.DataFrame, i: int, key_fields: list[str]) -> str | None:
    return ", ".join(f"{k}={frame.at[i, k]}" for k in key_fields) or None


def _rule_note_for_assumptions(file: str, frame: pd.DataFrame, key_fields: list[str]
                               ) -> Iterator[str]:
    """Rows whose origin is an assumption (or mixed) say in ``note`` what is assumed and why."""
    if not {"origin", "note"} <= set(frame.columns):
        return
    note = frame["note"].fillna("").str.strip()
    for i in frame.index[frame["origin"].isin(["assumption", "mixed"]) & (note == "")]:
        yield _cell_message(file, i + 1, _key(frame, i, key_fields), "note",
                            f"expected a note saying what is assumed and why (origin is "
                            f"{frame.at[i, 'origin']}), got ''")


def _rule_fractions_in_unit_interval(file: str, frame: pd.DataFrame, key_fields: list[str]
                                     ) -> Iterator[str]:
    """Where a row's ``unit`` is ``fraction``, its ``value`` lies in 0-1 (rates, not percents)."""
    if not {"unit", "value"} <= set(frame.columns):
        return
    outside = (frame["unit"] == "fraction") & ~frame["value"].between(0.0, 1.0)
    for i in frame.index[outside]:
        got = str(frame.at[i, "value"])
        yield _cell_message(file, i + 1, _key(frame, i, key_fields), "value",
                            "expected a value in the range 0 <= value <= 1 (unit is 'fraction': "
                            f"rates are fractions, not percents), got {got!r}")


#: Row rules beyond Table Schema, applied to every resource that has the columns they read.
RULES = (_rule_note_for_assumptions, _rule_fractions_in_unit_interval)


def _rule_problems(name: str, path: Path, folder: Path) -> list[str]:
    schema = _resources(folder)[name]["schema"]
    frame = _frame(path, schema)
    key_fields = list(schema.get("primaryKey", []))
    return [m for rule in RULES for m in rule(_label(path), frame, key_fields)]


def _presets_problems(folder: Path) -> list[str]:
    """Every preset in presets.csv has a facilities_<preset> resource and vice versa."""
    resources = _resources(folder)
    if "presets" not in resources:
        return []
    in_table = list(_frame(folder / resources["presets"]["path"],
                           resources["presets"]["schema"])["preset"])
    with_roster = [n.removeprefix("facilities_") for n in resources if n.startswith("facilities_")]
    if sorted(in_table) == sorted(with_roster):
        return []
    return [f"{_label(folder / resources['presets']['path'])}: presets {', '.join(in_table)} do "
            f"not match the facilities_<preset> resources ({', '.join(with_roster)})"]


def _raise(problems: list[str], limit: int = 20) -> None:
    if problems:
        more = len(problems) - limit
        raise DatasetError("\n".join(problems[:limit]
                                     + ([f"... and {more} more problems"] if more > 0 else [])))


# --------------------------------------------------------------------------------------------
# Reading


def _label(path: Path) -> str:
    """Short file label for messages: datasets/<file> inside the package, else the full path."""
    try:
        return str(Path(path).resolve().relative_to(datasets_dir().parent))
    except ValueError:
        return str(path)


def _column(text: pd.Series, kind: str) -> Any:
    """Typed column from text (missing = empty string); ValueError on a value that won't parse."""
    missing = text == ""
    match kind:
        case "integer":
            values = pd.array([None if m else int(t) for t, m in zip(text, missing, strict=True)],
                              dtype="Int64")
            return values if missing.any() else values.to_numpy(dtype=np.int64)
        case "number":
            return np.array([np.nan if m else float(t) for t, m in zip(text, missing, strict=True)],
                            dtype=float)
        case "boolean":
            if not text[~missing].isin(TRUE_VALUES + FALSE_VALUES).all():
                raise ValueError("not a boolean")
            values = pd.array([None if m else t in TRUE_VALUES
                               for t, m in zip(text, missing, strict=True)], dtype="boolean")
            return values if missing.any() else values.to_numpy(dtype=bool)
        case _:
            return text.mask(missing).astype("str")  # missing -> NaN


def _frame(path: Path, schema: Mapping[str, Any]) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return _load_parquet(path, schema)
    text = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
    return pd.DataFrame({f["name"]: _column(text[f["name"]], f["type"]) for f in schema["fields"]})


_CACHE: dict[tuple[str, int, int], pd.DataFrame] = {}


def _load_path(path: Path, name: str) -> pd.DataFrame:
    path = Path(path)
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if cache_key not in _CACHE:
        try:
            _CACHE[cache_key] = _frame(path, _resource(name)["schema"])
        except (ValueError, KeyError, pd.errors.ParserError):
            validate(path, resource=name)  # names file, row and field
            raise
    return _CACHE[cache_key].copy()  # callers may mutate their copy


def _load_parquet(path: Path, schema: Mapping[str, Any]) -> pd.DataFrame:
    """Read a Parquet resource (e.g. a posterior), checking columns and types against its schema."""
    frame = pd.read_parquet(path)
    names = [f["name"] for f in schema["fields"]]
    if list(frame.columns) != names:
        raise DatasetError(f"{_label(path)}: columns {list(frame.columns)} do not match the "
                           f"schema's fields {names}")
    for f in schema["fields"]:
        if f["type"] == "number" and not pd.api.types.is_float_dtype(frame[f["name"]]):
            raise DatasetError(f"{_label(path)}: field {f['name']!r} must be numbers, got "
                               f"{frame[f['name']].dtype}")
        if frame[f["name"]].isna().any() and f.get("constraints", {}).get("required"):
            raise DatasetError(f"{_label(path)}: field {f['name']!r} has missing values")
    return frame


def load(name: str) -> pd.DataFrame:
    """Load a resource by its name in datapackage.json, typed by its schema.

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


#: File name of a preset's shipped posterior (written by ``make calibrate``).
POSTERIOR_FILE = "posterior_{preset}.parquet"


def posterior_path(preset: str = "x_county") -> Path:
    """Path of the shipped posterior of a preset in the data package."""
    return datasets_dir() / POSTERIOR_FILE.format(preset=preset)


@cache
def read_posterior(path: Path) -> tuple[pd.DataFrame, dict]:
    """Posterior draws at ``path`` and their provenance (``abm.calibration`` metadata); cached."""
    import pyarrow.parquet as pq

    if not path.is_file():
        raise FileNotFoundError(f"no shipped posterior at {path}; `make calibrate` writes it")
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(b"abm.calibration", b"{}"))
    return table.to_pandas(), meta


def write_posterior(draws: pd.DataFrame, meta: dict, path: str | os.PathLike) -> Path:
    """Write posterior draws as Parquet with ``meta`` as the ``abm.calibration`` metadata.

    The one writer of the format :func:`read_posterior` reads (the frame's own ``attrs`` are
    not written). Returns the path.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = draws.copy()
    frame.attrs = {}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           b"abm.calibration": json.dumps(meta).encode()})
    pq.write_table(table, path)
    return path


def load_posterior_mode() -> dict[str, float]:
    """Return the shipped posterior's mode (``{}`` if none is shipped): ``abm.preset``'s defaults.

    Only x_county is calibrated; yongan and baiyun borrow its posterior
    (:func:`abm.inputs.posterior.posterior_mode` is the same mode, checked for a preset name).
    """
    path = posterior_path("x_county")
    if not path.is_file():
        return {}
    return dict(read_posterior(path)[1]["mode"])


def posterior_provenance() -> dict[str, Any]:
    """Provenance of the shipped x_county posterior (its Parquet metadata; ``{}`` if absent).

    Holds the calibration's call, the fitted facts (``targets``), the priors and the ``mode``;
    :func:`abm.posterior` returns it as ``frame.attrs["calibration"]``.

    >>> "targets" in posterior_provenance()
    True
    """
    path = posterior_path("x_county")
    return dict(read_posterior(path)[1]) if path.is_file() else {}


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
    taken from the resource with the same file name (or from ``resource=``); a file is checked
    against the package (its foreign keys point at the package's other files). Returns
    ``{resource name: number of rows}``; raises :class:`DatasetError` listing every problem, one
    per line, each naming file, row and field.
    """
    folder = datasets_dir()
    resources = _resources(folder)
    if name_or_path is None:
        problems = list(_descriptor_problems(_descriptor(folder), str(folder / DESCRIPTOR)))
        _raise(problems)
        problems, rows = _frictionless_problems(folder)
        _raise(problems)
        _raise([m for n, r in resources.items()
                for m in _rule_problems(n, folder / r["path"], folder)]
               + _presets_problems(folder))
        return rows
    if isinstance(name_or_path, str) and name_or_path in resources:
        name, path = name_or_path, folder / resources[name_or_path]["path"]
    else:
        path = Path(name_or_path)
        if not path.suffix and not path.exists():
            raise ValueError(f"unknown resource {str(name_or_path)!r}; valid resources: "
                             f"{', '.join(resources)}")
        if not path.is_file():
            raise FileNotFoundError(f"no such data file: {path}")
        name = _resource_for_path(path, resource)
    problems, rows = _frictionless_problems(folder, only=name, path=path)
    _raise(problems)
    _raise(_rule_problems(name, path, folder))
    return rows


# --------------------------------------------------------------------------------------------
# Command line: python -m abm.inputs.data (make data)


def main(argv: list[str] | None = None) -> int:
    """Run the generators, validate, and print one line per resource; 1 on a bad file."""
    parser = argparse.ArgumentParser(
        prog="python -m abm.inputs.data",
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
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
