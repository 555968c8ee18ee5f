"""Per-agent Mesa reference for ``bench_speed``: each patient a ``mesa.Agent`` with a ``step()``.

The textbook way to write this model: every day the scheduler calls each patient's ``step()``
in random order (``shuffle_do``); a patient who falls ill chooses a facility by the logit over its
village's alternatives or treats themself, takes an outpatient slot if one is left (else the
second choice), is diagnosed by a physician who may refer up to a facility that treats the
assessed severity (a slot there, else the highest facility reachable), has an outcome, updates
trust in the tier that treated them and tells neighbours in the same village, whose trust moves
too. Facility state, physicians, villages and patients' attributes come from the array model
(:class:`abm.ReferralModel`) so both start from the same county; the day's loop is per agent in
plain Python floats (``math``, not numpy scalars, which would make the reference slower).

It leaves out admission, beds, billing and downward referral, so it does less work per episode
than the array model: the ratio printed by ``bench_speed`` understates the gap.
"""

from __future__ import annotations

import math
import time

import mesa
import numpy as np


class PatientAgent(mesa.Agent):
    """A resident: static attributes and trust per tier, decayed toward the prior every day."""

    def __init__(self, model: ReferenceModel, village: int, chronic: bool, employee: bool,
                 onset_probability: float) -> None:
        super().__init__(model)
        self.village = village
        self.chronic = chronic
        self.employee = employee
        self.onset_probability = onset_probability
        self.trust = list(model.prior)

    def step(self) -> None:
        """One day: decay trust; on onset, seek care, and learn and tell from the outcome."""
        m = self.model
        rng = m.rand
        keep = m.daily_keep
        self.trust = [pr + (t - pr) * keep for t, pr in zip(self.trust, m.prior, strict=True)]
        if rng.random() >= self.onset_probability:
            return
        m.episodes += 1
        severity = self.severity(rng)
        choice = self.choose(severity, rng)
        if choice is None:
            m.forgone += 1
            return
        best, second = choice
        first = best if m.take_slot(best) else second
        final, correct = m.treat(first, severity, rng, self.village)
        p_ok = m.success_probability(final, severity, correct)
        success = 1.0 if rng.random() < p_ok else 0.0
        tier = m.tier[final]
        lr = m.learning_rate
        self.trust[tier] += lr * (success - self.trust[tier])
        if rng.random() < m.wom_probability:
            members = m.villagers[self.village]
            for _ in range(m.wom_contacts):
                other = members[int(rng.random() * len(members))]
                other.trust[tier] += lr * m.wom_weight * (success - other.trust[tier])

    def severity(self, rng) -> float:
        """Severity class from the (chronic) class probabilities plus a position inside it."""
        cum = self.model.cum_chronic if self.chronic else self.model.cum
        u = rng.random()
        cls = next((k for k, c in enumerate(cum) if u < c), len(cum) - 1)
        return cls + rng.random()

    def choose(self, x: float, rng) -> tuple[int, int] | None:
        """Logit over the village's alternatives and self-treatment; ``None`` if self-treated."""
        m, c = self.model, self.model.c
        best = second = -1
        ub = us = -math.inf
        for fac, oop, travel, asc in m.village_alts[self.village]:
            perceived = (self.trust[m.tier[fac]] * m.quality[fac]
                         - c.beta_mismatch * max(0.0, x - m.capability[fac]))
            v = (c.beta_quality * perceived - c.beta_cost * oop[self.employee] / 100.0
                 - c.beta_travel * travel - c.beta_wait * m.occupancy[fac] + asc)
            u = v - math.log(-math.log(1.0 - rng.random()) or 1e-300)
            if u > ub:
                second, us, best, ub = best, ub, fac, u
            elif u > us:
                second, us = fac, u
        self_care = c.asc_self_care - c.self_care_severity * x - math.log(
            -math.log(1.0 - rng.random()) or 1e-300)
        if self_care > ub:
            return None
        return best, (second if second >= 0 else best)


class ReferenceModel(mesa.Model):
    """The per-agent reference model on the county of an :class:`abm.ReferralModel`."""

    def __init__(self, params, seed: int) -> None:
        import abm
        from abm.inputs.tiers import RANK

        super().__init__(rng=seed)
        self.rand = self.random
        arr = abm.ReferralModel(params, rng=seed, patients="arrays")
        p, fac, geo, pat = params, arr.fac, arr.geo, arr.patients
        self.c = p.choice
        self.prior = [float(v) for v in p.trust.prior]
        self.daily_keep = math.exp(-p.trust.decay_per_year / 365.0)
        self.learning_rate = p.trust.learning_rate
        self.wom_probability, self.wom_contacts = p.trust.wom_probability, p.trust.wom_contacts
        self.wom_weight = p.trust.wom_weight
        probs = np.asarray(p.demand.severity_probs, float)
        probs_c = np.asarray(p.demand.severity_probs_chronic, float)
        self.cum = list(np.cumsum(probs) / probs.sum())
        self.cum_chronic = list(np.cumsum(probs_c) / probs_c.sum())
        self.tier = fac.tier.tolist()
        self.rank = RANK[fac.group].tolist()
        self.quality, self.capability = fac.quality.tolist(), fac.capability.tolist()
        self.capacity = fac.capacity.tolist()
        self.occupancy = [0.0] * len(self.tier)
        self.slots = list(self.capacity)
        fee, reimb = fac.fee.tolist(), fac.reimbursement.tolist()
        bonus = p.facilities.employee_bonus
        self.village_alts = []
        for v in range(geo.alternatives.shape[0]):
            alts = []
            for j, f in enumerate(geo.alternatives[v].tolist()):
                if f < 0:
                    continue
                oop = tuple(fee[f] * (1.0 - min(reimb[f] + bonus * e, 0.95)) for e in (0, 1))
                asc = (self.c.asc_outside if not fac.in_county[f]
                       else self.c.asc[self.tier[f]])
                alts.append((f, oop, float(geo.travel[v, j]), asc))
            self.village_alts.append(alts)
        self.phys_start, self.phys_count = fac.phys_start.tolist(), fac.phys_count.tolist()
        self.skill = arr.phys.skill[arr.phys_order].tolist()
        self.revenue_sensitivity = arr.phys.revenue_sensitivity[arr.phys_order].tolist()
        self.rf, self.noise, self.o = p.referral, p.physicians.diagnosis_noise, p.outcome
        self.villagers: list[list[PatientAgent]] = [[] for _ in range(geo.alternatives.shape[0])]
        onset = np.zeros(len(pat))
        for prob, members in pat.groups:
            onset[members] = prob
        cols = pat.columns(np.arange(len(pat)))
        for i in range(len(pat)):
            a = PatientAgent(self, int(cols["village"][i]), bool(cols["chronic"][i]),
                             bool(cols["employee"][i]), float(onset[i]))
            self.villagers[a.village].append(a)
        self.episodes = self.forgone = 0

    def take_slot(self, f: int) -> bool:
        """Take an outpatient slot at ``f`` if one is left today."""
        if self.slots[f] > 0.0:
            self.slots[f] -= 1.0
            return True
        return False

    def treat(self, first: int, x: float, rng, village: int) -> tuple[int, bool]:
        """Diagnose at ``first``; refer up if the physician decides to; return (final, correct)."""
        rf = self.rf
        doc = self.phys_start[first] + min(int(rng.random() * self.phys_count[first]),
                                           max(self.phys_count[first] - 1, 0))
        assessed = x + self.noise * (1.0 - self.skill[doc]) * rng.gauss(0.0, 1.0)
        correct = math.floor(min(max(assessed, 0.0), 3.999)) == math.floor(x)
        z = (rf.up_slope * (assessed - self.capability[first] - rf.up_margin)
             - rf.up_revenue_keep * self.revenue_sensitivity[doc])
        if rng.random() >= 1.0 / (1.0 + math.exp(-z)):
            return first, correct
        dest, best_key = -1, math.inf
        for f, *_ in self.village_alts[village]:
            if self.rank[f] <= self.rank[first]:
                continue
            key = self.rank[f] if self.capability[f] >= assessed else 10.0 - self.capability[f]
            if key < best_key:
                dest, best_key = f, key
        if dest < 0:
            return first, correct
        final = dest if self.take_slot(dest) else first
        doc = self.phys_start[final] + min(int(rng.random() * self.phys_count[final]),
                                           max(self.phys_count[final] - 1, 0))
        assessed = x + self.noise * (1.0 - self.skill[doc]) * rng.gauss(0.0, 1.0)
        return final, math.floor(min(max(assessed, 0.0), 3.999)) == math.floor(x)

    def success_probability(self, f: int, x: float, correct: bool) -> float:
        """Probability the episode ends well at ``f``."""
        o = self.o
        z = (o.intercept + o.quality * self.quality[f]
             - o.mismatch * max(0.0, x - self.capability[f]) + o.correct_diagnosis * correct)
        return 1.0 / (1.0 + math.exp(-z))

    def step(self) -> None:
        """One day: reset the slots, step every patient in random order, record occupancy."""
        self.slots = list(self.capacity)
        self.agents.shuffle_do("step")
        self.occupancy = [1.0 - s / c if c > 0 else 0.0
                          for s, c in zip(self.slots, self.capacity, strict=True)]


def run(params, *, days: int, seed: int = 1) -> dict:
    """Build the reference model and run it for ``days`` days; return episodes and seconds."""
    t0 = time.perf_counter()
    m = ReferenceModel(params, seed)
    t1 = time.perf_counter()
    for _ in range(days):
        m.step()
    t2 = time.perf_counter()
    return {"episodes": m.episodes, "forgone": m.forgone, "build_s": t1 - t0, "run_s": t2 - t1,
            "patients": len(m.agents)}
