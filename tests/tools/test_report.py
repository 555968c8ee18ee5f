import pandas as pd
import pytest

from abm.apps.designs import load_design
from abm.apps.report import STATUS_QUO, Comparison, budget_table, fmt_change, fmt_value


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


def test_group_effects_pair_each_group_on_seeds(tiny_design):
    d = load_design(tiny_design)
    keys = [("county", "all"), ("remoteness_quintile", "5"), ("insurance_scheme", "employee")]
    rows = []
    for scen, shift in ((STATUS_QUO, 0.0), (d.name, 1.0)):
        for seed in (1, 2, 3):
            for k, (grouping, group) in enumerate(keys):
                rows.append({"scenario": scen, "seed": seed, "window": "after_reform",
                             "grouping": grouping, "group": group,
                             "oop_per_capita": 10.0 * k + seed + shift * (k + 1) * seed})
    cmp = Comparison(designs=(d,), runs=pd.DataFrame(rows), windows={}, seconds=0.0,
                     created="now")
    e = cmp.group_effects(["oop_per_capita"]).set_index("label")
    # quintile 5: differences 2, 4, 6 over the seeds; employee: 3, 6, 9
    assert e.loc["remoteness quintile 5 (most remote)", "effect"] == pytest.approx(4.0)
    assert e.loc["urban employee scheme", "effect"] == pytest.approx(6.0)
    assert e.loc["urban employee scheme", "baseline_mean"] == pytest.approx(22.0)
    assert cmp.effects(["oop_per_capita"])["effect"].item() == pytest.approx(2.0)


def test_every_number_says_its_unit():
    assert fmt_value("turned_away_per_capita", 0.006) == "6.00"
    assert fmt_change("insurance_spend_per_capita", 20.24) == "+20.2 yuan"
    assert fmt_value("a_metric_added_later", 1.5) == "1.5"
