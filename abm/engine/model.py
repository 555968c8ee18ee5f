"""The referral model: a Mesa model of one county medical consortium, one step per day.

Each day the model (1) finds the patients who fall ill, (2) runs the day's episodes through the
named stages of :mod:`abm.engine.stages` against the facility and physician state, (3) writes trust
back to the patients and spreads word of mouth, (4) tallies the day and books bed-days. Once a month
primary facilities build capability, physicians learn, and hospitals set their referral policy
from their own ledger; once a year the secular trends move on. The incentives in force follow the
reform schedule (:meth:`abm.Params.incentives_at`).

Patients come in two representations behind one interface (docs/odd.md, section 2):
``patients="agents"`` makes each patient a :class:`abm.Patient` Mesa agent; ``patients="arrays"``
keeps them as packed rows (:mod:`abm.engine.packed`) and draws the day's onsets in bulk
(event-driven: cost grows with episodes, not residents x days). Both call the same rule functions
and stages.
"""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Literal, get_args

import mesa
import numpy as np
import pandas as pd

from abm.engine import equity, packed, rules
from abm.engine.agents import Facility, Patient, Physician
from abm.engine.day import (
    FACILITY_COUNTERS,
    POLICY_COUNTERS,
    County,
    Ill,
    run_day,
    run_day_lean,
)
from abm.engine.episodes import (
    STREAMS,
    Day,
    DayResult,
    FacilityState,
    Knobs,
    PhysicianState,
    Secular,
    draw_randoms,
    knobs,
)
from abm.engine.metrics import summarize
from abm.engine.sampling import onset_sample
from abm.engine.stages.billing import continued_care_prices, insurance_saved
from abm.engine.stages.outcome import wom_deltas, wom_rate
from abm.inputs.checks import check_days, check_params, check_seed
from abm.inputs.params import PRESETS, Incentives, ParamError, Params
from abm.inputs.roster import expand_roster, geography, load_roster, with_outside_hospital
from abm.inputs.tiers import GROUPS, OUTSIDE, RANK, TIERS, Tier, is_hospital, is_primary

PatientMode = Literal["auto", "agents", "arrays"]
PATIENT_MODES: tuple[str, ...] = get_args(PatientMode)
#: With ``patients="auto"`` (the default), counties with more simulated patients than this use
#: the array representation, smaller ones the agent representation.
AUTO_ARRAYS_ABOVE = 20_000

#: County-wide counters per day.
COUNTY_COUNTERS: tuple[str, ...] = (
    "episodes", "forgone", "first_contact_primary", "county_internal", "oop_episodes",
    "referred_oop", "referred_episodes", "trust_primary_sum", "patients", "primary_capability")

MONTH = 30
YEAR = 365
#: Days ahead that bookings of beds are kept for (longer stays are cut to it).
BED_HORIZON = 64


def make_streams(ss: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """Named random streams (:data:`abm.engine.episodes.STREAMS`) spawned from one root seed."""
    return {name: np.random.default_rng(child)
            for name, child in zip(STREAMS, ss.spawn(len(STREAMS)), strict=True)}


def check_mode(patients: str) -> str:
    """Validate the ``patients`` option."""
    if patients not in PATIENT_MODES:
        raise ValueError(f"patients must be one of {', '.join(map(repr, PATIENT_MODES))}; "
                         f"got {patients!r}")
    return patients


def simulated_patients(p: Params) -> int:
    """Return the number of simulated patients: residents / population scale."""
    return max(1, round(p.setting.residents / p.setting.scale))


def resolve_mode(patients: str, p: Params) -> str:
    """Return the representation to use: ``"auto"`` picks arrays above :data:`AUTO_ARRAYS_ABOVE`."""
    check_mode(patients)
    if patients == "auto":
        return "arrays" if simulated_patients(p) > AUTO_ARRAYS_ABOVE else "agents"
    return patients


def init_population(p: Params, n_villages: int, gen: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw the patients' static attributes (same draws for both representations).

    Patients are sorted by village so that each village is a contiguous block.
    """
    n = simulated_patients(p)
    village = np.sort(gen.integers(0, n_villages, n))
    shares = np.asarray(p.population.age_shares, dtype=float)
    age = np.searchsorted(np.cumsum(shares) / shares.sum(), gen.random(n), side="right")
    age = np.minimum(age, 2)
    chronic = gen.random(n) < np.asarray(p.population.chronic_prevalence)[age]
    employee = gen.random(n) < p.population.employee_insurance_share
    contract_draw = gen.random(n)
    d = p.demand
    rate = rules.episode_rates(age, chronic, base_rate=d.episode_rate, age_risk=d.age_risk,
                               chronic_risk=d.chronic_risk, age_shares=p.population.age_shares,
                               chronic_prevalence=p.population.chronic_prevalence)
    return {"village": village, "age_group": age, "chronic": chronic, "employee": employee,
            "contract_draw": contract_draw,
            "onset_probability": rules.daily_onset_probability(rate)}


class _AgentPatients:
    """Patients as Mesa agents; the model reads and writes their attributes."""

    def __init__(self, model: ReferralModel, cols: dict[str, np.ndarray], prior: np.ndarray):
        self.list = [
            Patient(model, i, int(cols["village"][i]), int(cols["age_group"][i]),
                    bool(cols["chronic"][i]), bool(cols["employee"][i]),
                    float(cols["contract_draw"][i]), prior.copy(),
                    float(cols["onset_probability"][i]))
            for i in range(cols["village"].size)]
        self.set = model.agents_by_type[Patient]

    def __len__(self) -> int:
        return len(self.list)

    def onset(self, gen: np.random.Generator) -> np.ndarray:
        # Each agent's own daily onset probability against one uniform per agent.
        prob = np.fromiter(self.set.get("onset_probability"), dtype=float, count=len(self.set))
        # the AgentSet keeps creation order, so position i is patient i
        return np.flatnonzero(gen.random(prob.size) < prob)

    def read(self, idx: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        return (self.columns(idx), *self.trust(idx))

    def columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        ags = [self.list[i] for i in idx]
        return {"village": np.fromiter((a.village for a in ags), np.int64, len(ags)),
                "chronic": np.fromiter((a.chronic for a in ags), bool, len(ags)),
                "employee": np.fromiter((a.employee for a in ags), bool, len(ags)),
                "contract_draw": np.fromiter((a.contract_draw for a in ags), float, len(ags))}

    def trust(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ags = [self.list[i] for i in idx]
        t = np.array([a.trust for a in ags]).reshape(len(ags), len(TIERS))
        last = np.fromiter((a.last_update for a in ags), np.int64, len(ags))
        return t, last

    def write_trust(self, idx: np.ndarray, trust: np.ndarray, day: int) -> None:
        for i, row in zip(idx, trust, strict=True):
            a = self.list[i]
            a.trust = row.copy()
            a.last_update = day

    def hear(self, contacts: np.ndarray, tier: np.ndarray, outcome: np.ndarray, day: int,
             k: Knobs) -> None:
        """Word of mouth: the listeners' trust decayed to ``day``, moved by the tellings."""
        who, rows = packed.listeners(contacts)
        t, last = self.trust(who)
        t = rules.decay_trust(t, k.prior, day - last, k.decay_per_year)
        self.write_trust(who, wom_deltas(t, rows, tier, outcome, wom_rate(k)), day)

    def all_trust(self, day: int, p: Params) -> np.ndarray:
        t, last = self.trust(np.arange(len(self.list)))
        return rules.decay_trust(t, np.asarray(p.trust.prior), day - last, p.trust.decay_per_year)


class _ArrayPatients:
    """Patients as rows of one float64 array owned by the model (:mod:`abm.engine.packed`).

    Onsets are drawn in bulk: for each group of patients sharing an onset probability, the day's
    count is Binomial(group size, probability) and the ill are a uniform sample without
    replacement, which has the same distribution as one Bernoulli draw per patient (all groups
    in one compiled call, :func:`abm.engine.sampling.onset_sample`, with numpy's own draws). State
    is read and written by compiled kernels, a whole row (one cache line) per patient.
    """

    def __init__(self, cols: dict[str, np.ndarray], prior: np.ndarray):
        self.rows = packed.pack(cols["village"], cols["chronic"], cols["employee"],
                                cols["contract_draw"], prior)
        prob = cols["onset_probability"]
        values, inv = np.unique(prob, return_inverse=True)
        order = np.argsort(inv, kind="stable")
        self.group_start = np.r_[0, np.cumsum(np.bincount(inv, minlength=values.size))]
        self.group_prob, self.group_members = values, order

    @property
    def groups(self) -> list[tuple[float, np.ndarray]]:
        """``(onset probability, members)`` per group of patients (members as views)."""
        members = np.split(self.group_members, self.group_start[1:-1])
        return list(zip(self.group_prob, members, strict=True))

    def __len__(self) -> int:
        return self.rows.shape[0]

    def onset(self, gen: np.random.Generator) -> np.ndarray:
        return onset_sample(gen, self.group_prob, self.group_start, self.group_members)

    def read(self, idx: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Columns, trust and last update of the patients ``idx`` (one pass over their rows)."""
        village, chronic, employee, contract, trust, last = packed.read_batch(self.rows, idx)
        return ({"village": village, "chronic": chronic, "employee": employee,
                 "contract_draw": contract}, trust, last)

    def columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        return self.read(idx)[0]

    def trust(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return packed.read_trust(self.rows, idx)

    def write_trust(self, idx: np.ndarray, trust: np.ndarray, day: int) -> None:
        packed.write_trust(self.rows, idx, trust, day)

    def hear(self, contacts: np.ndarray, tier: np.ndarray, outcome: np.ndarray, day: int,
             k: Knobs) -> None:
        """Word of mouth into the packed rows (:func:`.packed.hear`, one compiled call)."""
        packed.hear(self.rows, contacts, tier, outcome, day, k.prior, k.decay_per_year,
                    wom_rate(k))

    def all_trust(self, day: int, p: Params) -> np.ndarray:
        t, last = self.trust(np.arange(len(self)))
        return rules.decay_trust(t, np.asarray(p.trust.prior, dtype=float), day - last,
                                 p.trust.decay_per_year)


#: Rows of the physicians' ledger matrix (:attr:`ReferralModel.phys_ledger`).
PHYSICIAN_COUNTERS: tuple[str, ...] = ("patients_seen", "referrals_up", "referrals_down",
                                       "income")


def _ledger_rows(matrix: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Name the rows of a ledger matrix (views, made on each call and never stored).

    A stored view would stop being one in a deep copy of the model (``copy.deepcopy`` copies a
    view as a new array), so a forked model would read a ledger that its compiled day no longer
    writes. The model therefore owns each array once and derives every view when asked.
    """
    return dict(zip(names, matrix, strict=True))


def _ledger_row(i: int) -> property:
    return property(lambda self: self.ledger[i], doc=f"row {i} of the ledger matrix")


class _Physicians:
    """Per-physician columns.

    The ledger columns are rows of ``ledger`` (the model's ``phys_ledger``), derived on access.
    """

    patients_seen, referrals_up, referrals_down, income = (
        _ledger_row(i) for i in range(len(PHYSICIAN_COUNTERS)))

    def __init__(self, ledger: np.ndarray, **cols: np.ndarray) -> None:
        self.ledger = ledger
        self.__dict__.update(cols)


class ReferralModel(mesa.Model):
    """Agent-based model of two-way referral in a county medical consortium (one step = a day).

    Parameters
    ----------
    params
        :class:`abm.Params` (default: the ``small`` preset).
    rng
        Root seed (int or :class:`numpy.random.SeedSequence`). Named streams per decision are
        spawned from it, so runs with the same seed share random numbers (common random numbers).
    patients
        ``"agents"``: each patient a :class:`abm.Patient` Mesa agent (readable, for teaching and
        small runs); ``"arrays"``: packed rows owned by the model, event-driven (only the day's
        ill patients are touched; trust decay is applied lazily), for full-size counties;
        ``"auto"`` (default): arrays when the county has more than
        :data:`AUTO_ARRAYS_ABOVE` (20,000) simulated patients, agents otherwise. Both call
        the same rule functions.

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=42)
    >>> m.run_for(30)
    >>> m.day
    30
    >>> round(float(m.summary()["visits_per_capita"]), 0) > 0
    True
    """

    def __init__(self, params: Params | None = None, *, rng: int | np.random.SeedSequence | None
                 = None, patients: PatientMode = "auto") -> None:
        check_mode(patients)
        p, rng = check_params(params), check_seed(rng, "rng")
        patients = resolve_mode(patients, p)
        if p.setting.preset not in PRESETS:
            raise ParamError(f"setting.preset must be one of {', '.join(PRESETS)}; "
                             f"got {p.setting.preset!r}")
        ss = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
        super().__init__(rng=int(ss.generate_state(1)[0]))
        self.params = p
        self.patient_mode = patients
        self.seed_sequence = ss
        self.streams = make_streams(ss)
        self._knobs: Knobs | None = None
        #: With ``keep_days = True`` the model keeps each day's episodes (all stages' arrays) in
        #: :attr:`last_day`, for inspection; off by default (returning them costs time).
        self.keep_days = False
        self.last_day: DayResult | None = None
        self.day = 0
        self.secular = Secular()
        self.incentives: Incentives = p.incentives_at(0)
        self._secondees = np.zeros(0)
        self._build_facilities()
        self._build_physicians()
        pop = self.streams["population"]
        self.geo = geography(self.roster, p, pop)
        cols = init_population(p, p.setting.villages, pop)
        counts = np.bincount(cols["village"], minlength=p.setting.villages)
        self.village_count = counts
        self.village_start = np.r_[0, np.cumsum(counts)[:-1]]
        prior = np.asarray(p.trust.prior, dtype=float)
        self.patients = (_AgentPatients(self, cols, prior) if patients == "agents"
                         else _ArrayPatients(cols, prior))
        self._group_matrix = np.eye(len(GROUPS))[self.fac.group]
        self._rec_groups: list[np.ndarray] = []
        self._rec_county: list[np.ndarray] = []
        self._apply_incentives(self.incentives, first=True)
        self.fac.referral_push = self._first_referral_policy()

    # ------------------------------------------------------------------ construction
    def _build_facilities(self) -> None:
        p = self.params
        df = load_roster(p.setting.preset)
        if p.setting.outside_hospital:
            df = with_outside_hospital(df)
        fac = expand_roster(df)
        self.roster = fac
        t = fac["tier_code"].to_numpy()
        group = fac["group_code"].to_numpy()
        f = p.facilities
        cap = (fac["daily_outpatient_capacity"].to_numpy(float) * f.capacity_factor
               / p.setting.scale)
        beds = fac["beds"].to_numpy(float) * f.capacity_factor / p.setting.scale
        self.fac = FacilityState(
            tier=t, group=group, member=fac["consortium_member"].to_numpy(
                bool), in_county=fac["in_county"].to_numpy(bool),
            capability=np.asarray(f.capability, float)[t],
            quality=np.asarray(f.quality, float)[t], capacity=cap, beds=beds,
            fee=np.asarray(f.outpatient_fee, float)[t],
            inpatient_cost=np.asarray(f.inpatient_cost, float)[t],
            reimbursement=np.zeros(t.size), inpatient_reimbursement=np.zeros(t.size),
            deductible=np.asarray(f.deductible, float)[t],
            length_of_stay=np.minimum(np.asarray(p.demand.length_of_stay, float)[t],
                                      BED_HORIZON - 1),
            occupancy=np.zeros(t.size), beds_free=beds.copy(), referral_push=np.zeros(t.size),
            phys_start=np.zeros(t.size, np.int64), phys_count=np.zeros(t.size, np.int64),
            hospital=is_hospital(group), primary=is_primary(t), rank=RANK[group],
            asc=np.where(group == OUTSIDE, p.choice.asc_outside, np.asarray(p.choice.asc)[t]))
        self.fac_base = {"capability": self.fac.capability.copy(),
                         "quality": self.fac.quality.copy(), "capacity": cap.copy(),
                         "beds": beds.copy()}
        self.ledger_matrix = np.zeros((len(FACILITY_COUNTERS), t.size))
        self.policy_matrix = np.zeros((len(POLICY_COUNTERS), t.size))
        self.bed_bookings = np.zeros((BED_HORIZON, t.size))
        self.facility_agents = [Facility(self, i, fid, name) for i, (fid, name)
                                in enumerate(zip(fac["facility_id"], fac["name"], strict=True))]

    def _build_physicians(self) -> None:
        p, fac = self.params, self.roster
        per = np.maximum(fac["physicians"].to_numpy(np.int64), 1)
        where = np.repeat(np.arange(per.size), per)
        gen = self.streams["population"]
        tier = self.fac.tier[where]
        ph = p.physicians
        skill = np.clip(np.asarray(ph.skill)[tier] + ph.skill_sd * gen.standard_normal(where.size),
                        0.0, 1.0)
        revenue = np.exp(ph.revenue_sensitivity_sd * gen.standard_normal(where.size)
                         - 0.5 * ph.revenue_sensitivity_sd ** 2)
        awareness = gen.random(where.size)
        # ledgers: patients seen, referrals up, referrals down, income (rows of one matrix)
        self.phys_ledger = np.zeros((len(PHYSICIAN_COUNTERS), where.size))
        self.phys = _Physicians(self.phys_ledger, facility=where.copy(), home=where.copy(),
                                skill=skill, skill_base=skill.copy(),
                                revenue_sensitivity=revenue, awareness_draw=awareness,
                                seconded=np.zeros(where.size, bool))
        self.physician_agents = [Physician(self, i) for i in range(where.size)]
        self._index_physicians()

    def _index_physicians(self) -> None:
        """CSR of physicians by the facility where they work now."""
        order = np.argsort(self.phys.facility, kind="stable")
        counts = np.bincount(self.phys.facility, minlength=self.fac.tier.size)
        self.phys_order = order
        self.fac.phys_start = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        self.fac.phys_count = counts.astype(np.int64)
        self._secondees = np.bincount(self.phys.facility[self.phys.seconded],
                                      minlength=self.fac.tier.size)

    def secondees_at(self) -> np.ndarray:
        """Seconded specialists per facility."""
        return self._secondees

    # ------------------------------------------------------------------ incentives
    def _apply_incentives(self, inc: Incentives, *, first: bool = False) -> None:
        """Put a set of incentives in force: prices and reimbursement, secondments."""
        f = self.params.facilities
        t = self.fac.tier
        primary = t >= 3
        outside = ~self.fac.in_county
        base = np.asarray(f.reimbursement, float)[t] + primary * inc.primary_reimbursement_premium
        self.fac.reimbursement = np.clip(base - outside * f.outside_reimbursement_cut, 0,
                                         rules.MAX_REIMBURSEMENT)
        base_in = (np.asarray(f.inpatient_reimbursement, float)[t]
                   + primary * inc.primary_reimbursement_premium)
        self.fac.inpatient_reimbursement = np.clip(base_in - outside * f.outside_reimbursement_cut,
                                                   0, rules.MAX_REIMBURSEMENT)
        if first or inc.counterpart_support != self.incentives.counterpart_support:
            self._second_specialists(inc.counterpart_support)
        self.incentives = inc
        self._knobs = None

    def _second_specialists(self, per_centre: float) -> None:
        """Second specialists of member hospitals.

        (lead first) to township centres; the number per centre is the counterpart-support lever
        (seed 002, 2.1). Deterministic, no draws.
        """
        ph, fac = self.phys, self.fac
        centres = np.flatnonzero((fac.tier == 3) & fac.member & fac.in_county)
        want = int(round(per_centre * centres.size))
        current = np.flatnonzero(ph.seconded)
        if want < current.size:  # send the last seconded home
            back = current[want:]
            ph.facility[back] = ph.home[back]
            ph.seconded[back] = False
        elif want > current.size:
            donor_rank = {1: 0, 0: 1, 2: 2}  # county general, provincial, county
            home_t = fac.tier[ph.home]
            ok = (~ph.seconded & fac.member[ph.home] & fac.in_county[ph.home]
                  & np.isin(home_t, (0, 1, 2)))
            # keep at least half of each donor's staff at home
            cands = np.flatnonzero(ok)
            key = np.array([donor_rank[int(x)] for x in home_t[cands]])
            cands = cands[np.lexsort((-ph.skill[cands], key))]
            staff = np.bincount(ph.home, minlength=fac.tier.size)
            sent = np.bincount(ph.home[ph.seconded], minlength=fac.tier.size)
            load = np.bincount(ph.facility[ph.seconded], minlength=fac.tier.size)[centres]
            for c in cands:
                if current.size >= want or centres.size == 0:
                    break
                h = ph.home[c]
                if sent[h] + 1 > staff[h] // 2:
                    continue
                target = centres[int(np.argmin(load))]
                ph.facility[c] = target
                ph.seconded[c] = True
                sent[h] += 1
                load[int(np.argmin(load))] += 1
                current = np.append(current, c)
        self._index_physicians()

    # ------------------------------------------------------------------ dynamics
    def run_for(self, duration: int) -> None:
        """Run ``duration`` more days (a whole number of days, at least 1)."""
        super().run_for(check_days(duration, "duration"))

    def run_model(self) -> None:
        """Refuse Mesa's open-ended loop: this model has no end condition of its own."""
        raise ParamError("ReferralModel.run_model() would never stop (the model has no end "
                         "condition): use model.run_for(days) or abm.simulate(params, days=..., "
                         "seed=...)")

    def step(self) -> None:
        """Advance one day."""
        p, day = self.params, self.day
        if day and day % YEAR == 0:
            self._apply_trends(day // YEAR)
        inc = p.incentives_at(day)
        if inc != self.incentives:
            self._apply_incentives(inc)
        idx = self.patients.onset(self.streams["onset"])
        cols, trust, last = self.patients.read(idx)
        k = self.knobs
        quintile, patients, records = self._groups
        ph, geo = self.phys, self.geo
        state = County(ph.skill, ph.revenue_sensitivity, ph.awareness_draw, self.phys_order,
                       self.phys_ledger, geo.alternatives, geo.travel, self.village_start,
                       self.village_count, self.bed_bookings, self.ledger_matrix,
                       self.policy_matrix, quintile, patients, len(self.patients))
        ill = Ill(cols["village"], cols["chronic"], cols["employee"], cols["contract_draw"], trust,
                  last)
        args = (tuple(draw_randoms(self.streams, idx.size, k.wom_contacts)), tuple(ill), day,
                tuple(self.fac.view()), self._knobs_tuple, tuple(state))
        if self.keep_days:
            self.last_day, counts, groups, county = run_day(*args)
            trust, told = self.last_day.trust, self.last_day.episodes.tellings()
        else:
            trust, *told, counts, groups, county = run_day_lean(*args)
        self.patients.write_trust(idx, trust, day)
        if told[0].size:
            self.patients.hear(*told, day, k)
        self._rec_groups.append(counts @ self._group_matrix)
        self._rec_county.append(county)
        records.append(groups)
        self.day += 1
        if self.day % MONTH == 0:
            self.agents_by_type[Facility].do("build_capability")
            self.agents_by_type[Physician].do("learn")
            self.agents_by_type[Facility].do("set_referral_policy")
            self.policy_matrix[:] = 0.0

    def _day_state(self, inc: Incentives) -> Day:
        """Return the state the day's stages read (physician columns in CSR order by facility)."""
        ph, order = self.phys, self.phys_order
        return Day(fac=self.fac, phys=PhysicianState(
            skill=ph.skill[order], revenue_sensitivity=ph.revenue_sensitivity[order],
            awareness_draw=ph.awareness_draw[order]),
            geo=self.geo, village_start=self.village_start, village_count=self.village_count,
            inc=inc, p=self.params, secular=self.secular)

    def _apply_trends(self, years: int) -> None:
        """Secular trends after ``years`` years: cost sensitivity, travel, hospital capacity."""
        tr = self.params.trends
        self.secular = Secular(cost=(1.0 + tr.income_growth) ** -years,
                               travel=(1.0 + tr.travel_change) ** years)
        self._knobs = None
        grow = np.where(self.fac.hospital & self.fac.in_county,
                        (1.0 + tr.hospital_capacity_growth) ** years, 1.0)
        self.fac.capacity = np.where(self.fac.primary, self.fac.capacity,
                                     self.fac_base["capacity"] * grow)
        self.fac.beds = self.fac_base["beds"] * grow

    def _first_referral_policy(self) -> np.ndarray:
        """Each hospital's referral policy on day 0, from a typical stabilised patient.

        A patient of the hospital moved to a township centre (the tier that receives most
        downward referrals); later months read the hospital's own ledger.
        """
        fac = self.fac
        hospitals = np.flatnonzero(fac.hospital & fac.in_county & (fac.beds > 0))
        push = np.zeros(fac.tier.size)
        townships = np.flatnonzero(fac.tier == Tier.TOWNSHIP)
        if hospitals.size == 0 or townships.size == 0:
            return push
        receiver = np.full(hospitals.size, townships[0])
        care = continued_care_prices(self._day_state(self.incentives), hospitals, receiver,
                                     np.zeros(hospitals.size, dtype=bool))
        push[hospitals] = self.referral_policy(care.keep_revenue, care.credit,
                                               insurance_saved(care))
        return push

    def referral_policy(self, keep_revenue: np.ndarray, credit: np.ndarray,
                        insurance_saved: np.ndarray, referred_share: np.ndarray | float = 0.0
                        ) -> np.ndarray:
        """Target internal referral incentive (log-odds) of hospitals under today's incentives.

        ``referred_share`` is the share of their stabilised patients they referred down last
        month (0 on day 0).
        """
        h, inc = self.params.hospital, self.incentives
        return rules.referral_policy_target(
            keep_revenue, credit, insurance_saved, budget=inc.consortium_budget, margin=h.margin,
            retained_share=h.retained_share, value_coef=h.value_coef,
            performance_weight=inc.performance_weight,
            performance_coef=self.params.referral.down_performance,
            referred_share=referred_share, volume_coef=h.volume_coef)

    @property
    def knobs(self) -> Knobs:
        """The parameters, levers in force and trends as the compiled day reads them."""
        if self._knobs is None:
            self._knobs = knobs(self.params, self.incentives, self.secular)
            self._knobs_tuple = tuple(self._knobs)
        return self._knobs

    # ------------------------------------------------------------------ per-group tallies
    # Counters by remoteness quintile of the patient's village and by insurance scheme
    # (abm.engine.equity, for Results.by_group). They read the day's episodes only: no random
    # numbers, no state, so a run is the same with or without them. Set up on the first day
    # (lazily, to keep this block apart from the rest of the model).
    @cached_property
    def _groups(self) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Village quintiles, patients per cell, and the daily records (filled by the tally)."""
        quintile = equity.remoteness_quintiles(self.geo.remoteness)
        cols = self.patients.columns(np.arange(len(self.patients)))
        return quintile, equity.patients_per_cell(quintile, cols["village"],
                                                  cols["employee"]), []

    def group_counts(self) -> pd.DataFrame:
        """Tidy daily counters per remoteness quintile and insurance scheme (:mod:`.equity`).

        Examples
        --------
        >>> m = ReferralModel(rng=1)
        >>> m.run_for(3)
        >>> list(m.group_counts().columns[:4]), len(m.group_counts())
        (['day', 'remoteness_quintile', 'insurance_scheme', 'episodes'], 30)
        """
        return equity.group_frame(self._groups[2])

    # ------------------------------------------------------------------ outputs
    @property
    def ledger(self) -> dict[str, np.ndarray]:
        """Cumulative facility counters by name (rows of :attr:`ledger_matrix`)."""
        return _ledger_rows(self.ledger_matrix, FACILITY_COUNTERS)

    @property
    def policy_ledger(self) -> dict[str, np.ndarray]:
        """Counters of stabilised patients this month by name (rows of :attr:`policy_matrix`).

        Hospitals read them to set their referral policy.
        """
        return _ledger_rows(self.policy_matrix, POLICY_COUNTERS)

    def daily_counts(self) -> pd.DataFrame:
        """Tidy daily counts.

        One row per day and tier (the five tiers, ``outside`` and ``all``); county-wide counters are
        filled on the ``all`` rows only.
        """
        days = len(self._rec_groups)
        if days == 0:
            return pd.DataFrame(columns=["day", "tier", *FACILITY_COUNTERS, *COUNTY_COUNTERS])
        g = np.stack(self._rec_groups)  # (days, counters, groups)
        g = np.concatenate([g, g.sum(axis=2, keepdims=True)], axis=2)
        labels = [*GROUPS, "all"]
        nl = len(labels)
        frame = pd.DataFrame(g.transpose(0, 2, 1).reshape(days * nl, -1),
                             columns=list(FACILITY_COUNTERS))
        frame.insert(0, "tier", pd.Categorical(np.tile(labels, days), categories=labels))
        frame.insert(0, "day", np.repeat(np.arange(days), nl))
        county = np.full((days * nl, len(COUNTY_COUNTERS)), np.nan)
        county[nl - 1::nl] = np.stack(self._rec_county)
        frame[list(COUNTY_COUNTERS)] = county
        return frame

    def summary(self, window: tuple[int, int] | None = None) -> pd.Series:
        """Summary metrics over the days run so far (see :func:`abm.engine.metrics.summarize`)."""
        return summarize(self.daily_counts(), window=window)

    def trust_by_tier(self) -> pd.Series:
        """Mean trust per tier over all patients today (a full pass; for inspection)."""
        t = self.patients.all_trust(self.day, self.params)
        return pd.Series(t.mean(axis=0), index=list(TIERS), name="trust")

    # ------------------------------------------------------------------ forking (abm.simulate_many)
    def fork(self, params: Params) -> ReferralModel:
        """Return a copy of the model that runs on from today under ``params``.

        The copy is whole (every array, agent and random generator; the model keeps no view of
        one array in another attribute, which a deep copy would turn into an array of its own),
        so running it on gives exactly the run of ``params`` alone (:meth:`continue_as`).

        Examples
        --------
        >>> from abm import preset
        >>> m = ReferralModel(preset("small"), rng=1)
        >>> m.run_for(10)
        >>> f = m.fork(m.params.with_reform({"revenue_share": 0.5}, day=10))
        >>> f.day, f.params.reform.day, m.params.reform.day
        (10, 10, None)
        """
        copied = copy.deepcopy(self)  # numpy Generators and Mesa's event list are copied too
        copied.continue_as(params)
        return copied

    def continue_as(self, params: Params) -> None:
        """Run on from today under ``params``, which give the same run as the current ones so far.

        :func:`abm.simulate_many` simulates the first days shared by a baseline and its reforms
        once, then continues a copy of the model under each reform's parameters.

        Raises
        ------
        ParamError
            If a run of ``params`` could differ from this run before today
            (:meth:`abm.Params.shared_days`).
        """
        shared = self.params.shared_days(check_params(params))
        if shared is not None and shared < max(self.day, 1):  # building read day 0's incentives
            raise ParamError(f"cannot continue on day {self.day} under parameters that differ "
                             f"from the running ones from day {shared} on "
                             f"({sorted(self.params.differences(params))[:5]})")
        self.params = params
        self._knobs = None  # read again from the new parameters on the next day
