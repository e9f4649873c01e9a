"""The cohorts' answer to ``territory_contents``: the cohorts on some territories (one query).

The territories' pages count them, a local administrator's home lists them with a link to each
cohort's administration, and a territory with a cohort cannot be deleted.
"""

from __future__ import annotations

from flask_babel import gettext as _

from lms.cohorts.forms import STATE_LABELS
from lms.cohorts.models import Cohort
from lms.core.formatting import format_day
from lms.extensions import db
from lms.organisations.signals import TerritoryEntry


def cohorts_on_territories(sender: list[int], **_extra) -> list[TerritoryEntry]:
    """Return the cohorts on the territories ``sender`` names, the latest first."""
    cohorts = db.session.scalars(
        db.select(Cohort)
        .where(Cohort.territory_id.in_(sender))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )
    return [
        TerritoryEntry(
            territory_id=cohort.territory_id,
            kind="cohort",
            name=cohort.name,
            detail=_(
                "%(start)s – %(end)s · %(state)s",
                start=format_day(cohort.starts_on, "short"),
                end=format_day(cohort.ends_on, "short"),
                state=STATE_LABELS[cohort.state],
            ),
            endpoint="cohorts_admin.cohort_edit",
            url_values={"cohort_id": cohort.id},
        )
        for cohort in cohorts
    ]
