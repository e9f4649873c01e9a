"""A module's minimum attendance as a completion rule (learning's requirement signals).

A module whose path file declares ``[modules.attendance] minimum`` is completed only when the
learner attended at least that share of the minutes of the module's sessions held so far (closed
sheets of sessions ended by today, Paris time: the rules of ``lms.attendance.hours``). Below it,
the module lacks « Présence 70 % < 80 % requis » (the rate rounded down: 79.9 % reads 79 %).
Nothing is lacking while no session of the module was held: the module cannot wait for sessions
that have not taken place, and the rule applies again as soon as one has.

Registered by ``lms.attendance.init_app`` with ``connect_cohort_requirements``: one query per
page whatever the cohort size (the sessions with every learner's record, joined to the modules'
minimums), and none of it asks module completion, so completion may ask it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _

from lms.attendance.hours import below, day_end, session_minutes, whole_percent
from lms.core.formatting import format_percent


def shortfall_text(rate_percent: int, minimum_percent: int) -> str:
    """Return « Présence 70 % < 80 % requis »: the learner's whole rate against the minimum."""
    return _(
        "Attendance %(rate)s < %(minimum)s required",
        rate=format_percent(rate_percent),
        minimum=format_percent(minimum_percent),
    )


def missing_attendance(
    path: Any, *, learners: Sequence[Any], modules: Sequence[Any], **kwargs: Any
) -> dict[tuple[int, int], list[str]]:
    """Return, per (learner id, module id), the attendance below the module's minimum (1 query)."""
    learner_ids = [learner.id for learner in learners]
    module_ids = [module.id for module in modules]
    totals = session_minutes(learner_ids, module_ids=module_ids, until=day_end(), minimum="module")
    missing: dict[tuple[int, int], list[str]] = {}
    for key, totals_of in totals.items():
        rate = Fraction(totals_of.attended, totals_of.held) if totals_of.held else None
        if rate is not None and below(rate, totals_of.minimum_percent):
            missing[key] = [shortfall_text(whole_percent(rate), totals_of.minimum_percent or 0)]
    return missing
