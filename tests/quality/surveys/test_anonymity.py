"""SECURITY.md J43: an anonymous survey answered by several learners cannot be joined to a person
through any page (the learner's own, the staff's), the CSV, the audit log, the logs, or any query
over the schema; the named variant does link each response to its learner."""

from __future__ import annotations

import csv
import io
import logging

from sqlalchemy import func

from lms.accounts.models import AuditEvent
from lms.extensions import db
from lms.quality.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse
from tests.quality.surveys.support import answers
from tests.web.helpers import log_in

# Comments given in an order that is not the alphabetical one.
COMMENTS = ("Zéro regret, super module.", "Avancer plus vite.", "Module dense mais utile.")


def client_of(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def answer_all(app, world, campaign, caplog):
    """Each learner answers in turn (logs captured); return their clients."""
    clients = []
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for learner, comment in zip(world.learners, COMMENTS, strict=True):
        client = client_of(app, learner)
        answer = client.post(f"/surveys/{campaign.id}", data=answers(avis=comment))
        assert answer.status_code in (302, 303)
        clients.append(client)
    return clients


def fk_columns(table_name: str) -> dict[str, str]:
    table = db.metadata.tables[table_name]
    return {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}


def test_no_column_reachable_from_a_response_names_a_person_or_a_time(app):
    """The schema itself: the only way from a response to a person is participation_id."""
    responses = db.metadata.tables["survey_responses"]
    assert set(responses.columns.keys()) == {
        "id",
        "campaign_id",
        "participation_id",
        "submitted_at",
    }
    assert fk_columns("survey_responses") == {
        "campaign_id": "survey_campaigns",
        "participation_id": "survey_participations",
    }
    answers_table = db.metadata.tables["survey_answers"]
    assert set(answers_table.columns.keys()) == {
        "id",
        "response_id",
        "question_id",
        "scale_value",
        "choice",
        "text",
    }
    assert fk_columns("survey_answers") == {
        "response_id": "survey_responses",
        "question_id": "survey_questions",
    }
    # Nothing else points at a response or an answer (no log, audit or link table).
    pointing = {
        (table.name, fk.parent.name)
        for table in db.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name in ("survey_responses", "survey_answers")
    }
    assert pointing == {("survey_answers", "response_id")}
    # A campaign leads to a cohort, a question to a survey: groups, never one person.
    assert "learner_id" not in db.metadata.tables["survey_campaigns"].columns
    assert "learner_id" not in db.metadata.tables["survey_questions"].columns


def test_an_anonymous_campaign_cannot_be_joined_to_a_learner(app, world, caplog):
    campaign = world.anonymous_campaign()
    audit_before = db.session.scalar(db.select(func.count()).select_from(AuditEvent))
    clients = answer_all(app, world, campaign, caplog)

    # The database: three responses, none with a participation or a time; the participations
    # only say that each learner answered.
    responses = db.session.scalars(db.select(SurveyResponse)).all()
    assert len(responses) == 3
    assert all(r.participation_id is None and r.submitted_at is None for r in responses)
    joined = db.session.scalar(
        db.select(func.count())
        .select_from(SurveyResponse)
        .join(SurveyParticipation, SurveyParticipation.id == SurveyResponse.participation_id)
    )
    assert joined == 0
    assert (
        db.session.scalar(db.select(func.count()).where(SurveyParticipation.answered.is_(True)))
        == 3
    )

    # The audit log: answering wrote nothing.
    assert db.session.scalar(db.select(func.count()).select_from(AuditEvent)) == audit_before

    # The logs: no line names a response, an answer or what was written.
    for record in caplog.records:
        line = record.getMessage()
        assert "response" not in line.lower(), line
        assert not any(comment in line for comment in COMMENTS), line
        assert "participation" not in line.lower(), line

    # The learner's own page: what they wrote is not shown back, and the page says why.
    for client, comment in zip(clients, COMMENTS, strict=True):
        page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
        assert comment not in page
        assert 'id="anonymous-answered"' in page
        listing = client.get("/surveys").get_data(as_text=True)
        assert comment not in listing

    # The staff's page: the comments in alphabetical order, no list of people, no names.
    staff = client_of(app, world.trainer)
    page = staff.get(f"/manage/surveys/campaigns/{campaign.id}").get_data(as_text=True)
    positions = [page.index(comment) for comment in sorted(COMMENTS)]
    assert positions == sorted(positions)
    assert 'id="people"' not in page
    for learner in world.learners:
        assert learner.display_name not in page
        assert learner.email not in page
    cohort_page = staff.get(f"/manage/cohorts/{world.cohort.id}/surveys").get_data(as_text=True)
    for learner in world.learners:
        assert learner.display_name not in cohort_page

    # The CSV: one row per response, sorted, no person, no response id.
    export = staff.get(f"/manage/surveys/campaigns/{campaign.id}/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    header, *body = rows
    assert header == [
        "Objectifs atteints ?",
        "Le rythme était :",
        "Votre avis :",
        "Autre chose ?",
    ]
    assert len(body) == 3
    assert body == sorted(body)
    text = export.get_data(as_text=True)
    for learner in world.learners:
        assert learner.display_name not in text
        assert learner.email not in text
    # Only the questions' columns: no person, no id, no time.


def test_the_named_variant_links_each_response_to_its_learner(app, world, caplog):
    campaign = world.named_campaign()
    answer_all(app, world, campaign, caplog)
    rows = db.session.execute(
        db.select(SurveyParticipation.learner_id, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.participation_id == SurveyParticipation.id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyAnswer.text.is_not(None))
    ).all()
    assert sorted(rows) == sorted(
        (learner.id, comment) for learner, comment in zip(world.learners, COMMENTS, strict=True)
    )
    staff = client_of(app, world.trainer)
    page = staff.get(f"/manage/surveys/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="people"' in page
    assert all(learner.display_name in page for learner in world.learners)
    export = staff.get(f"/manage/surveys/campaigns/{campaign.id}/export.csv")
    table = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][:4] == ["Name", "Organisation", "E-mail", "Submitted at"]
    by_name = {row[0]: row for row in table[1:]}
    for learner, comment in zip(world.learners, COMMENTS, strict=True):
        assert comment in by_name[learner.display_name]
