"""J37: before both markings are in, nothing a marker can request reveals the other marking.

The first marker submits a marking with a feedback, levels and a score that appear nowhere else;
the second marker then requests every GET route of the application whose URL arguments can be
filled with the ids of that work (its grade, submission, file, assessment, learner, cohort, the
second marker's own marking) and the CSV exports. No response may contain the first marking's
feedback, its score, the first marker's name (but where a page lists the cohort's trainers), or
show its chosen levels as chosen. The rubric's
descriptors appear on the second marker's own rubric form, where every level is listed: there,
the first marking's levels must not be checked. The figure (routes × responses) is printed
with the security figures.
"""

from __future__ import annotations

import re

from lms.assessments.marking import allocation, services
from lms.assessments.models import Grade, MarkingRole
from lms.extensions import db
from tests.assessments.marking.support import make_marking_world
from tests.factories import SubmissionFileFactory
from tests.security import figures
from tests.web.helpers import log_in

FEEDBACK = "Avis-confidentiel-7Q2"
DESCRIPTOR = "Descripteur-unique-K9"
# Pages that name every trainer of the cohort, whatever they marked: a session's trainers are
# chosen among them. The first marker's name there says nothing of the marking.
LISTS_THE_TRAINERS = {"sessions_manage.session_new"}


def test_the_other_marker_finds_nothing_of_the_first_marking(app):
    world = make_marking_world()
    file = SubmissionFileFactory(submission=world.submission)
    first_marker = world.trainers[0]
    first_marker.display_name = "Zéphyrin Premier-Lecteur"
    allocation.allocate_submission(world.submission, world.cohort)
    grade = db.session.scalar(db.select(Grade).filter_by(submission_id=world.submission.id))
    first = world.marking(grade, MarkingRole.FIRST)
    second = world.marking(grade, MarkingRole.SECOND)
    assert first.marker_id == first_marker.id
    chosen = world.levels(2, 2)
    top = world.criteria()[0].levels[-1]
    top.descriptor = DESCRIPTOR
    services.save_marking(
        first_marker,
        first,
        expected_version=first.version_id,
        choices=chosen,
        feedback=FEEDBACK,
        submit=True,
    )
    db.session.commit()
    score = f"{first.score} / {grade.max_score}"
    values = {
        "grade_id": grade.id,
        "submission_id": world.submission.id,
        "file_id": file.id,
        "assessment_id": world.assignment.id,
        "learner_id": world.learner.id,
        "user_id": world.learner.id,
        "cohort_id": world.cohort.id,
        "marking_id": second.id,
        "module_id": world.assignment.module_id,
    }
    client = app.test_client()
    log_in(client, second.marker)
    checked = 0
    routes = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not set(rule.arguments) <= set(values):
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for query in ("", "?state=all"):
            response = client.get(url + query)
            assert response.status_code < 500, url
            body = response.get_data(as_text=True)
            assert FEEDBACK not in body, url
            if rule.endpoint not in LISTS_THE_TRAINERS:
                assert first_marker.display_name not in body, url
            assert score not in body, url
            own_form = rule.endpoint == "marking.marking"
            if not own_form:
                assert DESCRIPTOR not in body, url
            for level in chosen.values():
                assert not re.search(rf'value="{level}"[^>]*\schecked', body), url
            checked += 1
        routes += 1
    assert routes > 20  # the sweep reached the pages, not only a few
    figures.add("blind marking: routes checked as the other marker", routes)
    figures.add("blind marking: responses checked", checked)
