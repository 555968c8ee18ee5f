import pandas as pd
import pytest

from abm.designs import load_design
from abm.report import STATUS_QUO, Comparison, budget_table, fmt_change, fmt_value


def test_county_totals_are_per_resident_values_times_residents(tiny_design):
    d = load_design(tiny_design)
    runs = pd.DataFrame({
        "scenario": [STATUS_QUO, STATUS_QUO, d.name, d.name], "seed": [1, 2, 1, 2],
        "window": "after_reform", "insurance_spend_per_capita": [100.0, 110.0, 120.0, 126.0],
        "oop_per_capita": [50.0, 52.0, 45.0, 49.0]})
    cmp = Comparison(designs=(d,), runs=runs, windows={}, seconds=0.0, created="now")
    b = budget_table(cmp).set_index("item")
    residents = d.baseline_params().setting.residents
    assert residents == 3000
    assert b.loc["insurance fund", "effect"] == pytest.approx(18.0)
    assert b.loc["insurance fund", "change_total"] == pytest.approx(18.0 * 3000)
    assert b.loc["out of pocket", "baseline_mean_total"] == pytest.approx(51.0 * 3000)
    assert b.loc["out of pocket", "change_total"] == pytest.approx(-4.0 * 3000)
    assert b.loc["out of pocket", "lower_total"] < b.loc["out of pocket", "change_total"]


def test_every_number_says_its_unit():
    assert fmt_value("turned_away_per_capita", 0.006) == "6.00"
    assert fmt_change("insurance_spend_per_capita", 20.24) == "+20.2 yuan"
    assert fmt_value("a_metric_added_later", 1.5) == "1.5"
