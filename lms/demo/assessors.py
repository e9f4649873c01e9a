"""Demo external assessors: one assesses the cohort under way, one's access ended last year.

Both accounts are made with a password (printed with the others) and named through the cohorts
domain's own service, so the members page, the audit log and each assessor's home page show
what a real invitation leaves. No e-mail is sent.
"""

from __future__ import annotations

from datetime import date, timedelta

from lms.accounts.models import User
from lms.accounts.services import create_user, find_user_by_email
from lms.cohorts.assessors import invite_assessor
from lms.cohorts.models import Cohort

# slug, name, days of access after the cohort's end (negative: ended before it)
ASSESSORS = (("evaluatrice", "Estelle Évaluatrice", 30), ("evaluateur", "Émile Évaluateur", 20))


def ensure_assessors(
    current: Cohort, finished: Cohort, admin: User, domain: str
) -> list[tuple[str, User]]:
    """Name the demo assessors where they are not yet; return them with their label."""
    people = []
    for (slug, name, extra_days), cohort in zip(ASSESSORS, (current, finished), strict=True):
        email = f"{slug}@{domain}"
        user = find_user_by_email(email) or create_user(email, name)
        if cohort.role_of(user) is None:
            ends_on = cohort.ends_on + timedelta(days=extra_days)
            # The finished cohort's assessor was named when it ended: their access is over.
            today = min(date.today(), cohort.ends_on)
            invite_assessor(
                admin,
                cohort,
                email=email,
                display_name=name,
                locale="fr",
                access_ends_on=ends_on,
                today=today,
            )
        people.append(("assessor", user))
    return people
