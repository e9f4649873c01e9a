"""The path definition's ``[modules.assessments.marking]`` table of an assignment or evaluation.

```toml
[modules.assessments.marking]
markers = ["trainer", "trainer"]  # one entry per independent marking (1 or 2)
tolerance = 1                     # levels of gap allowed per criterion
agreement = "lower"               # lower | higher | mean (of the two positions, rounded down)
third_reader = "trainer"          # who settles a disagreement
```

Absent: one trainer grades the work as before. Canonical form: every key filled in.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from lms.assessments.models import Assessment, MarkerPool, MarkingAgreement
from lms.curriculum.definition.reading import Field, Problems, read_table

FIELDS = {
    "markers": Field("codes"),
    "tolerance": Field("int", required=False, default=1),
    "agreement": Field(
        "choice", required=False, default=MarkingAgreement.LOWER, choices=MarkingAgreement
    ),
    "third_reader": Field("choice", required=False, default=MarkerPool.TRAINER, choices=MarkerPool),
}


def read_marking(raw: Any, where: str, problems: Problems) -> dict[str, Any] | None:
    """Return the marking table in canonical form, or None after recording its problems."""
    found = Problems()
    values = read_table(raw, FIELDS, where, found)
    markers = values.get("markers")
    if markers is not None:
        if not 1 <= len(markers) <= 2:
            found.add(
                where + ".markers",
                _("needs one or two markings (found %(n)d)", n=len(markers)),
            )
        allowed = ", ".join(pool.value for pool in MarkerPool)
        for marker in markers:
            if marker not in allowed.split(", "):
                found.add(
                    where + ".markers",
                    _("must be one of %(allowed)s (not %(value)s)", allowed=allowed, value=marker),
                )
    if values.get("tolerance", 0) < 0:
        found.add(where + ".tolerance", _("must be 0 or more"))
    problems.extend(found)
    if found:
        return None
    return {
        "markers": list(values["markers"]),
        "tolerance": values["tolerance"],
        "agreement": MarkingAgreement(values["agreement"]).value,
        "third_reader": MarkerPool(values["third_reader"]).value,
    }


def load_marking(values: dict[str, Any] | None, assessment: Assessment) -> None:
    """Write a read marking table to the assessment's columns (None: graded as usual)."""
    if values is None:
        return
    pools = [MarkerPool(pool) for pool in values["markers"]]
    assessment.first_marker_pool = pools[0]
    assessment.second_marker_pool = pools[1] if len(pools) > 1 else None
    assessment.marking_tolerance = values["tolerance"]
    assessment.marking_agreement = MarkingAgreement(values["agreement"])
    assessment.third_reader_pool = MarkerPool(values["third_reader"])


def export_marking(assessment: Assessment) -> dict[str, Any]:
    """Return ``{"marking": {...}}`` for a marked assessment, or nothing, as ``read`` gives it."""
    if not assessment.is_marked:
        return {}
    return {
        "marking": {
            "markers": [pool.value for pool in assessment.marker_pools],
            "tolerance": assessment.marking_tolerance,
            "agreement": MarkingAgreement(assessment.marking_agreement).value,
            "third_reader": MarkerPool(assessment.third_reader_pool).value,
        }
    }
