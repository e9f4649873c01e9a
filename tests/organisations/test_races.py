"""Territories raced for real, through the live server, on SQLite and PostgreSQL: two
administrators creating the same territory, or naming the same person, at the same instant get
one success and one clear form error, never a 500 nor a duplicate row."""

from __future__ import annotations

from lms.extensions import db
from lms.organisations.models import Territory, TerritoryAdministrator
from tests.factories import TerritoryFactory, UserFactory
from tests.live import at_once, logged_in


def test_the_same_territory_created_twice_at_once_is_created_once(app, live_server):
    admins = [UserFactory(admin=True) for _ in range(2)]
    browsers = [logged_in(app, live_server, admin) for admin in admins]
    db.session.commit()
    data = {"code": "roubaix", "name": "Roubaix", "area": "", "company": "", "description": ""}
    answers = at_once([lambda b=b: b.post("/admin/territories/new", data) for b in browsers])
    assert sorted(answer.status for answer in answers) in ([302, 422], [303, 422])
    refused = next(answer for answer in answers if answer.status == 422)
    assert "Another territory" in refused.text
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Territory.id))) == 1


def test_the_same_person_named_twice_at_once_is_named_once(app, live_server):
    territory = TerritoryFactory()
    person = UserFactory()
    browsers = [logged_in(app, live_server, UserFactory(admin=True)) for _ in range(2)]
    db.session.commit()
    url, email = f"/admin/territories/{territory.id}/administrators", person.email
    answers = at_once([lambda b=b: b.post(url, {"email": email}) for b in browsers])
    assert sorted(answer.status for answer in answers) in ([302, 422], [303, 422])
    refused = next(answer for answer in answers if answer.status == 422)
    assert "already administers" in refused.text
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(TerritoryAdministrator.id))) == 1
