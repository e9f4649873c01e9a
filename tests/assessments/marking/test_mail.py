"""E-mails of double marking: each allocated marker, then the third reader, in their language."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from lms.assessments.models import Grade, Marking, MarkingRole
from lms.extensions import db
from tests.assessments.marking.support import form, make_marking_world
from tests.web.helpers import log_in


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def subject(locale: str, msgid: str, title: str) -> str:
    with force_locale(locale):
        return gettext(msgid, title=title)


def test_markers_then_the_third_reader_are_mailed_in_their_language(app, smtp_server):
    world = make_marking_world()
    for trainer in world.trainers:
        trainer.locale = "en"
    world.trainers[1].locale = "fr"
    db.session.commit()
    learner = client_of(app, world.learner)
    page = f"/assessments/{world.assignment.id}/assignment"
    learner.get(page)
    from tests.web.helpers import csrf_token_of

    token = csrf_token_of(learner.get(page).get_data(as_text=True))
    learner.post(f"{page}/versions", data={"csrf_token": token, "text": "Nouvelle version."})
    grade = db.session.scalars(db.select(Grade).order_by(Grade.id.desc())).first()
    markings = db.session.scalars(db.select(Marking).filter_by(grade_id=grade.id)).all()
    assert len(markings) == 2
    assert sorted(m["To"] for m in smtp_server) == sorted(m.marker.email for m in markings)
    for message, marking in zip(
        sorted(smtp_server, key=lambda m: m["To"]),
        sorted(markings, key=lambda m: m.marker.email),
        strict=True,
    ):
        expected = subject(
            marking.marker.locale, "A work to mark: “%(title)s”", "Carte des acteurs"
        )
        assert message["Subject"] == expected
    first, second = sorted(markings, key=lambda m: m.role)
    smtp_server.clear()
    client_of(app, first.marker).post(
        f"/marking/{first.id}",
        data=form(first, world.levels(2, 2), action="submit", feedback="Avis A"),
    )
    assert smtp_server == []  # the other marker hears nothing of it
    client_of(app, second.marker).post(
        f"/marking/{second.id}", data=form(second, world.levels(0, 0), action="submit")
    )
    third = db.session.scalar(
        db.select(Marking).filter_by(grade_id=grade.id, role=MarkingRole.THIRD)
    )
    assert [m["To"] for m in smtp_server] == [third.marker.email]
    assert "Avis A" not in str(smtp_server[0])
