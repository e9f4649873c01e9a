"""The indicators as rows: one figure a row, shared by the staff page, its CSV and the public page.

Each row belongs to a publishable **indicator** (``INDICATORS``: the organisation publishes
indicators, not single rows) and says its numerator, denominator, value, unit and the number of
**people** it was computed on: the public page hides the value of every row computed on fewer
than ``MINIMUM_PEOPLE`` people (``Row.hidden``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.quality.indicators.figures import Indicators, Ratio
from lms.quality.indicators.satisfaction import COLD, FUNDER, HOT

MINIMUM_PEOPLE = 5

PERCENT, COUNT, HOURS, MEAN = "percent", "count", "hours", "mean"

# code -> (label, definition): the page's help, the publication form, the public page.
INDICATORS = {
    "entered": (
        _l("Learners entered"),
        _l("Learners enrolled in the cohorts that start in the period."),
    ),
    "completion": (
        _l("Completion"),
        _l(
            "Learners of the cohorts ending in the period who did not withdraw, over the "
            "learners of those cohorts."
        ),
    ),
    "dropout": (
        _l("Dropout"),
        _l(
            "Learners of the cohorts ending in the period with a recorded withdrawal "
            "(« abandon »), over the learners of those cohorts."
        ),
    ),
    "success": (
        _l("Assessment success"),
        _l(
            "Learners who stayed to the end and passed every required assessment of their path "
            "(a passed quiz, or a passed grade released to them), over the learners who stayed."
        ),
    ),
    "certification": (
        _l("Certification (path)"),
        _l(
            "Learners whose latest decision awards the path certificate, over the learners "
            "with a decision (candidates), in the cohorts ending in the period; then valid "
            "path certificates over awarded decisions."
        ),
    ),
    "blocks": (
        _l("Certification (blocks)"),
        _l(
            "Per competency block: candidates whose latest decision awards the path or "
            "validates the block, over the candidates; and valid block attestations."
        ),
    ),
    "attendance": (
        _l("Attendance rate"),
        _l(
            "Minutes attended (present or late) over minutes held, sessions of the cohorts "
            "ending in the period whose attendance sheet is closed, learners who did not "
            "withdraw."
        ),
    ),
    "hours": (
        _l("Realised hours"),
        _l(
            "Hours of the sessions attended (present or late) on closed sheets, in total and "
            "per learner, same population as the attendance rate."
        ),
    ),
    "satisfaction_hot": (
        _l("Satisfaction « à chaud »"),
        _l(
            "End-of-module and end-of-path surveys: response rate (answered over asked) and "
            "the mean of each scale question."
        ),
    ),
    "satisfaction_cold": (
        _l("Satisfaction « à froid »"),
        _l("Surveys some time after the end: response rate and the mean of each question."),
    ),
    "satisfaction_funder": (
        _l("Funders’ satisfaction"),
        _l("Surveys of funders and employers: response rate and the mean of each question."),
    ),
}

GROUP_INDICATORS = {
    HOT: "satisfaction_hot",
    COLD: "satisfaction_cold",
    FUNDER: "satisfaction_funder",
}


DECISION_LABELS = {
    "partial": _l("Latest decision: partial validation"),
    "deferred": _l("Latest decision: deferred"),
    "refused": _l("Latest decision: refused"),
}
STATUS_LABELS = {
    "present": _l("Learner-sessions present"),
    "late": _l("Learner-sessions late"),
    "absent": _l("Learner-sessions absent"),
    "excused": _l("Learner-sessions excused"),
    "none": _l("Learner-sessions without a record (absent)"),
}


@dataclass(frozen=True)
class Row:
    indicator: str  # a code of INDICATORS
    key: str  # unique among the rows
    label: str
    unit: str  # PERCENT, COUNT, HOURS or MEAN
    value: float | int | None
    people: int
    numerator: int | None = None
    denominator: int | None = None
    scale_top: int | None = None  # MEAN rows: the scale's highest value
    in_minutes: bool = False  # the numerator and denominator are minutes (attendance)

    @property
    def hidden(self) -> bool:
        """Whether the public may not see the value: computed on fewer than 5 people."""
        return self.people < MINIMUM_PEOPLE


def _ratio(indicator: str, key: str, label: str, ratio: Ratio) -> Row:
    return Row(
        indicator,
        key,
        label,
        PERCENT,
        ratio.percent,
        ratio.people,
        ratio.numerator,
        ratio.denominator,
    )


def indicator_rows(figures: Indicators) -> Iterator[Row]:
    """Yield every row of the figures, indicator by indicator, in INDICATORS' order."""
    yield Row("entered", "entered", _("Learners entered"), COUNT, figures.entered, figures.entered)
    yield _ratio("completion", "completion", _("Completion"), figures.completion)
    yield _ratio("dropout", "dropout", _("Dropout"), figures.dropout)
    yield _ratio("success", "success", _("Assessment success"), figures.success)
    yield _ratio(
        "certification", "certification", _("Path certificate awarded"), figures.certification
    )
    yield _ratio("certification", "certificates", _("Valid path certificates"), figures.certified)
    for outcome, label in DECISION_LABELS.items():
        yield Row(
            "certification",
            f"decisions:{outcome}",
            str(label),
            COUNT,
            figures.decisions.get(outcome, 0),
            figures.candidates,
        )
    for block in figures.blocks:
        yield _ratio(
            "blocks",
            f"block:{block.code}",
            _("%(code)s validated: %(title)s", code=block.code, title=block.title),
            block.validated,
        )
        yield Row(
            "blocks",
            f"attestations:{block.code}",
            _("%(code)s valid attestations", code=block.code),
            COUNT,
            block.attestations,
            block.attestations,
        )
    attendance = figures.attendance
    rate = attendance.rate
    yield Row(
        "attendance",
        "attendance",
        _("Attendance rate"),
        PERCENT,
        rate.percent,
        rate.people,
        rate.numerator,
        rate.denominator,
        in_minutes=True,
    )
    for status, label in STATUS_LABELS.items():
        yield Row(
            "attendance",
            f"records:{status}",
            str(label),
            COUNT,
            attendance.statuses.get(status, 0),
            attendance.learners,
        )
    yield Row(
        "hours",
        "hours",
        _("Realised hours, in total"),
        HOURS,
        attendance.realised_hours,
        attendance.learners,
    )
    yield Row(
        "hours",
        "hours_per_learner",
        _("Realised hours per learner"),
        HOURS,
        attendance.mean_hours,
        attendance.learners,
    )
    for group in figures.satisfaction.groups:
        code = GROUP_INDICATORS[group.group]
        label = _("Response rate: %(group)s", group=INDICATORS[code][0])
        yield _ratio(code, f"{code}:response", label, group.response)
        for question in group.questions:
            yield Row(
                code,
                f"{code}:{question.survey_code}:{question.code}",
                f"{question.survey_title} — {question.text}",
                MEAN,
                question.mean,
                question.answers,
                scale_top=question.scale_top,
            )
