"""A cohort's withdrawals: recorded and cancelled by its administrators, audited, counted."""

from __future__ import annotations

from datetime import date

import pytest

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.quality.indicators.figures import indicators
from lms.quality.indicators.models import Withdrawal
from lms.quality.indicators.scope import Period, Scope
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    TerritoryAdministratorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.web.helpers import log_in


@pytest.fixture
def cohort(app):
    return CohortFactory(starts_on=date(2025, 1, 6), ends_on=date(2025, 6, 27))


@pytest.fixture
def learner(cohort):
    return MembershipFactory(cohort=cohort, user=UserFactory(display_name="Zoé Zèbre"))


@pytest.fixture
def local_admin(client, cohort):
    user = TerritoryAdministratorFactory(territory=cohort.territory).user
    log_in(client, user)
    return user


def url(cohort) -> str:
    return f"/admin/cohorts/{cohort.id}/withdrawals"


def test_a_local_administrator_records_a_withdrawal(client, cohort, learner, local_admin):
    assert "Zoé Zèbre" in client.get(url(cohort)).get_data(as_text=True)
    response = client.post(
        url(cohort),
        data={"learner": learner.id, "withdrawn_on": "2025-03-14", "reason": "Emploi trouvé"},
    )
    assert response.headers["Location"].endswith(url(cohort))
    withdrawal = db.session.scalars(db.select(Withdrawal)).one()
    assert (withdrawal.withdrawn_on, withdrawal.reason) == (date(2025, 3, 14), "Emploi trouvé")
    assert withdrawal.recorded_by_id == local_admin.id
    event = db.session.scalars(db.select(AuditEvent).filter_by(action="withdrawal.record")).one()
    assert event.after["learner_id"] == learner.user_id
    figures = indicators(Scope(Period.year(2025)))
    assert (figures.dropout.numerator, figures.dropout.denominator) == (1, 1)
    html = client.get(url(cohort)).get_data(as_text=True)
    assert "Emploi trouvé" in html
    assert "Every learner’s withdrawal is recorded." in html


def test_a_withdrawal_outside_the_cohort_or_twice_is_refused(client, cohort, learner, local_admin):
    data = {"learner": learner.id, "withdrawn_on": "2026-01-10", "reason": "Santé"}
    response = client.post(url(cohort), data=data)
    assert response.status_code == 409
    assert "must fall within the cohort’s dates" in response.get_data(as_text=True)
    response = client.post(url(cohort), data={**data, "withdrawn_on": "2025-02-01", "reason": " "})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Withdrawal.id))) == 0
    client.post(url(cohort), data={**data, "withdrawn_on": "2025-02-01"})
    # The learner is no longer offered: a second withdrawal is not a valid choice.
    response = client.post(url(cohort), data={**data, "withdrawn_on": "2025-02-02"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Withdrawal.id))) == 1


def test_a_trainer_is_no_learner_to_withdraw(client, cohort, local_admin):
    trainer = MembershipFactory(cohort=cohort, trainer=True)
    data = {"learner": trainer.id, "withdrawn_on": "2025-02-01", "reason": "Départ"}
    assert client.post(url(cohort), data=data).status_code == 400


def test_a_withdrawal_is_cancelled_and_audited(client, cohort, learner, local_admin):
    client.post(
        url(cohort), data={"learner": learner.id, "withdrawn_on": "2025-03-14", "reason": "Erreur"}
    )
    withdrawal = db.session.scalars(db.select(Withdrawal)).one()
    response = client.post(f"{url(cohort)}/{withdrawal.id}/cancel")
    assert response.headers["Location"].endswith(url(cohort))
    assert db.session.scalar(db.select(db.func.count(Withdrawal.id))) == 0
    assert db.session.scalars(db.select(AuditEvent).filter_by(action="withdrawal.cancel")).one()
    assert client.post(f"{url(cohort)}/{withdrawal.id}/cancel").status_code == 404


def test_another_territory_does_not_learn_of_the_cohort(client, cohort, learner):
    other = TerritoryAdministratorFactory(territory=TerritoryFactory()).user
    log_in(client, other)
    assert client.get(url(cohort)).status_code == 404
    trainer = MembershipFactory(cohort=cohort, trainer=True).user
    client.post("/logout")
    log_in(client, trainer)
    assert client.get(url(cohort)).status_code == 403
