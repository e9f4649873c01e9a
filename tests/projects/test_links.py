"""The later ex post evaluation link (SECURITY.md J40): works once, then refused; an expired,
withdrawn, planned or unknown link is refused; nothing is recorded by a refused link."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.accounts.models import AuditEvent
from lms.core.time import utcnow
from lms.extensions import db
from lms.projects.invitations import (
    InvitationGone,
    InvitationRefused,
    check_usable,
    create_invitation,
    find_invitation,
    hash_token,
)
from lms.projects.models import (
    EvaluationMoment,
    ProjectDimension,
    ProjectEvaluation,
    ProjectEvaluationValue,
    ProjectInvitation,
)
from tests.projects.links_support import link_form, make_evaluated_project, make_link


def counts() -> tuple[int, int, int]:
    """Return how many evaluations, values and used links the database holds."""
    db.session.expire_all()
    return (
        db.session.scalar(db.select(db.func.count(ProjectEvaluation.id))),
        db.session.scalar(db.select(db.func.count(ProjectEvaluationValue.id))),
        db.session.scalar(
            db.select(db.func.count(ProjectInvitation.id)).where(
                ProjectInvitation.used_at.is_not(None)
            )
        ),
    )


def later_evaluation(project) -> ProjectEvaluation | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(ProjectEvaluation).filter_by(
            project_id=project.id, moment=EvaluationMoment.EX_POST_LATER
        )
    )


@pytest.fixture
def evaluated():
    return make_evaluated_project()


def test_the_link_shows_the_project_the_grid_and_the_reference_values(client, evaluated):
    _invitation, token = make_link(evaluated.project)
    response = client.get(f"/projects/evaluate/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert evaluated.project.title in page
    assert evaluated.project.holder in page
    assert evaluated.project.territory.name in page
    assert "Santé et bien-être" in page
    assert "Lien social" in page
    assert "Ex ante: 1 – Faible" in page
    assert "Ex post: 3 – Forte" in page
    assert 'value="Hélène Holder"' in page  # the evaluator's name, prefilled
    # No e-mail address of anyone on the page.
    assert "@" not in page.split("<main", 1)[-1]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_link_works_once_then_is_refused(client, evaluated):
    invitation, token = make_link(evaluated.project)
    response = client.post(
        f"/projects/evaluate/{token}", data=link_form(evaluated.grid, 4, "Hélène H.")
    )
    assert response.status_code == 200
    assert "is recorded" in response.get_data(as_text=True)
    recorded = later_evaluation(evaluated.project)
    assert recorded is not None
    assert recorded.invitation_id == invitation.id
    assert recorded.evaluated_by_id is None
    assert recorded.evaluator_name == "Hélène H."
    assert sorted(row.value for row in recorded.values) == [4, 4]
    before = counts()
    again = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid, 0))
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)
    assert counts() == before
    assert client.get(f"/projects/evaluate/{token}").status_code == 410
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"project.invite", "project.invitation_use"} <= actions


def test_an_expired_link_is_refused_and_records_nothing(client, evaluated):
    invitation, token = make_link(evaluated.project)
    invitation.created_at = utcnow() - timedelta(days=31)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = counts()
    assert client.get(f"/projects/evaluate/{token}").status_code == 410
    response = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert counts() == before


def test_a_withdrawn_link_is_refused_and_records_nothing(client, evaluated):
    _first, old_token = make_link(evaluated.project)
    _second, new_token = make_link(evaluated.project)  # withdraws the first
    before = counts()
    response = client.post(f"/projects/evaluate/{old_token}", data=link_form(evaluated.grid))
    assert response.status_code == 410
    assert "withdrawn" in response.get_data(as_text=True)
    assert counts() == before
    assert client.get(f"/projects/evaluate/{new_token}").status_code == 200


@pytest.mark.parametrize(
    "token", ["UnknownTokenUnknownTokenUnknownToken0123456", "short", "bad%20chars%21" * 3]
)
def test_an_unknown_or_malformed_link_is_a_404_and_records_nothing(client, evaluated, token):
    make_link(evaluated.project)
    before = counts()
    assert client.get(f"/projects/evaluate/{token}").status_code == 404
    response = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)
    assert counts() == before


def test_a_planned_link_not_sent_yet_does_not_work(client, evaluated):
    token = "PlannedTokenNobodyWasGiven_0123456789abcdef"
    invitation, _token = create_invitation(
        None,
        evaluated.project,
        email="holder@example.org",
        name="Hélène Holder",
        expires_at=utcnow() + timedelta(days=30),
        sent=False,
    )
    invitation.token_sha256 = hash_token(token)
    db.session.commit()
    before = counts()
    assert (
        client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid)).status_code
        == 404
    )
    assert counts() == before


def test_a_form_error_keeps_the_link_usable_and_the_typed_values(client, evaluated):
    invitation, token = make_link(evaluated.project)
    form = link_form(evaluated.grid, 2)
    form["justification_lien"] = "   "
    form["value_sante"] = "9"  # off the scale
    form["justification_sante"] = "Typé avant l'erreur."
    before = counts()
    response = client.post(f"/projects/evaluate/{token}", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Typé avant l&#39;erreur." in page or "Typé avant l'erreur." in page
    assert 'aria-invalid="true"' in page or "field__errors" in page
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(ProjectInvitation, invitation.id).used_at is None
    good = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    assert good.status_code == 200
    assert later_evaluation(evaluated.project) is not None


def test_the_evaluation_already_recorded_otherwise_is_a_409_and_the_link_stays(client, evaluated):
    from lms.projects.evaluations import record_evaluation
    from tests.projects.links_support import values

    invitation, token = make_link(evaluated.project)
    record_evaluation(
        evaluated.project,
        evaluated.grid,
        EvaluationMoment.EX_POST_LATER,
        values(evaluated.grid),
        user=evaluated.trainer,
    )
    db.session.commit()
    before = counts()
    response = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    assert response.status_code == 409
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(ProjectInvitation, invitation.id).used_at is None


def test_the_token_is_stored_hashed_only(evaluated):
    invitation, token = make_link(evaluated.project)
    assert invitation.token_sha256 == hash_token(token)
    assert len(token) >= 40
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(db.select(table)):
            assert token not in repr(tuple(row)), table.name
    assert find_invitation(token).id == invitation.id
    assert find_invitation(invitation.token_sha256) is None


def test_check_usable_says_which_refusal(evaluated):
    invitation, _token = make_link(evaluated.project)
    with pytest.raises(InvitationRefused) as unknown:
        check_usable(None)
    assert not isinstance(unknown.value, InvitationGone)
    invitation.used_at = utcnow()
    with pytest.raises(InvitationGone):
        check_usable(invitation)


def test_the_token_never_reaches_the_security_log(client, evaluated, caplog):
    _invitation, token = make_link(evaluated.project)
    client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))  # refused: logged
    assert "project_link.refused" in caplog.text
    assert token not in caplog.text
    assert "/projects/evaluate/[redacted]" in caplog.text


def test_the_redaction_covers_the_link_in_access_logs():
    from lms.core.redaction import redact

    line = "GET /projects/evaluate/Abc-123_xyz?x=1 HTTP/1.1"
    assert redact(line) == "GET /projects/evaluate/[redacted]?x=1 HTTP/1.1"


def test_the_public_page_is_rate_limited(app, client, evaluated, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PROJECT_LINK", "3 per minute")
    statuses = [
        client.get("/projects/evaluate/UnknownTokenUnknownToken01234").status_code for _ in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_the_form_checks_csrf(client, evaluated, csrf_enabled):
    _invitation, token = make_link(evaluated.project)
    before = counts()
    response = client.post(f"/projects/evaluate/{token}", data=link_form(evaluated.grid))
    assert response.status_code == 400
    assert counts() == before


def test_the_link_page_reads_a_constant_number_of_queries(client, query_counter):
    """The page costs the same whatever the grid's size: no query per dimension."""
    counts_by_size = []
    for extra in (0, 4):
        evaluated = make_evaluated_project()
        for number in range(extra):
            db.session.add(
                ProjectDimension(
                    path_id=evaluated.project.cohort.path_id,
                    code=f"extra{number}",
                    title=f"Dimension {number}",
                    question="?",
                    indicators=["Un indicateur"],
                    position=10 + number,
                )
            )
        db.session.commit()
        _invitation, token = make_link(evaluated.project)
        with query_counter:
            assert client.get(f"/projects/evaluate/{token}").status_code == 200
        counts_by_size.append(query_counter.count)
    assert counts_by_size[0] == counts_by_size[1], counts_by_size
