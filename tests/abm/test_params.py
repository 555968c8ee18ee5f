"""Parameter object: defaults, replace, validation with clear errors."""

import pytest

import abm
from abm import ParamError, Params, preset
from abm.inputs.params import describe
from abm.runs.levers import LEVERS


def test_replace_changes_only_the_named_field():
    p = preset("small")
    q = p.replace(**{"incentives.revenue_share": 0.4})
    assert q.incentives.revenue_share == 0.4
    assert p.incentives.revenue_share == 0.0  # frozen original untouched
    assert q.differences(p) == {"incentives.revenue_share": 0.4}


def test_unknown_field_names_the_valid_ones():
    with pytest.raises(ParamError, match="revenue_share"):
        Params().replace(**{"incentives.revenue_shares": 0.4})
    with pytest.raises(ParamError, match="valid groups"):
        Params().replace(**{"incentive.revenue_share": 0.4})
    with pytest.raises(ParamError, match="valid names"):
        Params().replace(**{"reform.incentives.nonsense": 1.0})


@pytest.mark.parametrize("key, value", [
    ("incentives.revenue_share", 1.5), ("incentives.reserved_referral_share", -0.1),
    ("trust.learning_rate", 2.0), ("setting.scale", 0.5), ("facilities.quality", (1, 2)),
    ("demand.followup_visits", 2.5), ("incentives.family_doctor_coverage", "high"),
])
def test_out_of_range_or_wrong_type_is_an_error_naming_the_field(key, value):
    with pytest.raises(ParamError, match=key.split(".")[1]):
        Params().replace(**{key: value})


def test_reform_starts_from_baseline_incentives():
    p = Params().replace(**{"incentives.primary_reimbursement_premium": 0.1,
                            "reform.day": 730, "reform.incentives.revenue_share": 0.4})
    assert p.reform.incentives.primary_reimbursement_premium == 0.1
    assert p.incentives_at(729).revenue_share == 0.0
    assert p.incentives_at(730).revenue_share == 0.4
    with pytest.raises(ParamError, match="reform.day"):
        Params().replace(**{"reform.day": -3})


def test_presets_come_from_datasets():
    from abm.inputs import data

    table = data.load_presets()
    for name in ("x_county", "yongan", "baiyun"):
        p = preset(name)
        assert p.setting.residents == table.loc[name, "residents"]
        assert p.incentives.family_doctor_coverage == table.loc[name, "family_doctor_contract_rate"]
    with pytest.raises(ValueError, match="small, x_county"):
        preset("atlantis")


def test_every_parameter_has_unit_and_source():
    t = describe()
    assert (t["unit"] != "").all() and (t["source"] != "").all()
    assert {f"incentives.{k}" for k in LEVERS} <= set(t.index)


def test_bad_options_are_value_errors_listing_choices():
    with pytest.raises(ValueError, match="'auto', 'agents', 'arrays'"):
        abm.ReferralModel(patients="cells")
    with pytest.raises(ValueError, match="days"):
        abm.simulate(days=-1, seed=1)
