"""Two administrators recording the same learner's withdrawal at once, raced for real through the
live server: one withdrawal is kept, the other person is told, never a 500."""

from __future__ import annotations

from datetime import date

from lms.extensions import db
from lms.quality.indicators.models import Withdrawal
from tests.factories import CohortFactory, MembershipFactory, TerritoryAdministratorFactory
from tests.live import at_once, logged_in


def test_two_recordings_of_one_withdrawal_at_once_keep_one(app, live_server):
    cohort = CohortFactory(starts_on=date(2025, 1, 6), ends_on=date(2025, 6, 27))
    learner = MembershipFactory(cohort=cohort)
    admins = [TerritoryAdministratorFactory(territory=cohort.territory).user for _ in range(2)]
    people = [logged_in(app, live_server, admin) for admin in admins]
    url = f"/admin/cohorts/{cohort.id}/withdrawals"
    data = {"learner": str(learner.id), "withdrawn_on": "2025-03-14", "reason": "Emploi"}
    db.session.commit()
    answers = at_once([lambda browser=browser: browser.post(url, data) for browser in people])
    statuses = sorted(answer.status for answer in answers)
    assert statuses[0] == 302
    assert statuses[1] in (400, 409)  # already recorded (409), or no longer offered (400)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Withdrawal.id))) == 1


def test_two_first_publications_of_a_year_at_once_keep_one_set(app, live_server):
    """Nothing published yet for the year: both insert the same rows; one is kept, one told."""
    from lms.quality.indicators.models import PublishedIndicator
    from tests.factories import TrainingPathFactory, UserFactory

    path = TrainingPathFactory()
    admins = [UserFactory(admin=True) for _ in range(2)]
    people = [logged_in(app, live_server, admin) for admin in admins]
    data = {"path": path.code, "year": "2025", "indicators": ["entered", "completion"]}
    db.session.commit()
    url = "/admin/quality/indicators/publication"
    answers = at_once([lambda browser=browser: browser.post(url, data) for browser in people])
    statuses = sorted(answer.status for answer in answers)
    assert statuses[0] == 302
    # The second waits for the first, then finds its rows (nothing changed: 302) or collides on
    # them (409 with the message); never a 500.
    assert statuses[1] in (302, 409)
    if statuses[1] == 409:
        refused = next(answer for answer in answers if answer.status == 409)
        assert "at the same time" in refused.text
    db.session.expire_all()
    published = db.session.scalars(
        db.select(PublishedIndicator.indicator).filter_by(path_code=path.code, year=2025)
    ).all()
    assert sorted(published) == ["completion", "entered"]
