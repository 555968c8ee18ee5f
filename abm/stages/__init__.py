"""The day as named stages: each a short function over the day's episodes, in its own module.

:data:`STAGES` lists them in the order they run; :func:`process_episodes` runs them. Each stage
reads the episodes' arrays filled by the stages before it (:class:`abm.episodes.Episodes`), the
day's random numbers (:class:`abm.episodes.Draws`, named fields) and the facility state
(:class:`abm.episodes.Day`), and fills its own arrays. The rules they apply are the pure
functions of :mod:`abm.rules`.

Examples
--------
>>> from abm.stages import STAGES
>>> [name for name, _ in STAGES][:3]
['walk-in capacity', 'diagnosis and upward referral', 'referred arrivals']
"""

from __future__ import annotations

from abm.episodes import Batch, Day, DayResult, Draws
from abm.stages import admission, billing, capacity, choice, outcome, referral

#: The stages after the choice at onset (which decides who seeks formal care), in order.
STAGES = (
    ("walk-in capacity", capacity.serve_walkins),
    ("diagnosis and upward referral", referral.refer_up),
    ("referred arrivals", capacity.serve_referred),
    ("physician at the final facility", referral.physician_at_final),
    ("admission", admission.admit),
    ("downward referral", referral.refer_down),
    ("billing", billing.bill),
    ("outcome and trust", outcome.outcome_and_trust),
    ("word of mouth", outcome.word_of_mouth),
)


def process_episodes(b: Batch, d: Draws, day: Day) -> DayResult:
    """Run one day's batch of episodes: the choice at onset, then every stage of :data:`STAGES`.

    Examples
    --------
    >>> from abm import ReferralModel
    >>> m = ReferralModel(rng=1)
    >>> m.run_for(1)
    >>> int(m.daily_counts()["episodes"].sum()) > 0
    True
    """
    trust_primary_onset = b.trust[:, 3:5].mean(axis=1)  # township and village tiers
    e, forgone, keep = choice.choose(b, d, day)
    treated = d.subset(keep)
    for _, stage in STAGES:
        stage(e, treated, day)
    trust = b.trust.copy()
    trust[keep] = e.trust
    return DayResult(episodes=e, forgone=forgone, trust=trust,
                     trust_primary_onset=trust_primary_onset)


__all__ = ["STAGES", "process_episodes"]
