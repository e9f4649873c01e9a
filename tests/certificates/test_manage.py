"""Staff certification pages: eligibility (page, CSV), a learner's certification, decisions,
issuing, the certificates list and detail, revocation, re-issue and download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import format_datetime

from lms.accounts.models import AuditEvent
from lms.certificates.models import Certificate, CertificateState, CertificationDecision
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.factories import (
    CertificateFactory,
    CertificationDecisionFactory,
    CohortFactory,
    MembershipFactory,
    UserFactory,
)
from tests.web.helpers import count_queries, form_errors, log_in, text

PDF = b"%PDF-1.7\n% a stored certificate\n%%EOF\n"


@pytest.fixture
def world():
    """The certifying world of tests/certificates/helpers.py."""
    return make_certificate_world()


@pytest.fixture
def admin(world, client):
    """Return a client logged in as the world's administrator."""
    log_in(client, world.admin)
    return client


@pytest.fixture
def trainer(world, client):
    """Return a client logged in as the cohort's trainer."""
    log_in(client, world.trainer)
    return client


def eligibility_url(world, **query) -> str:
    args = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/admin/cohorts/{world.cohort.id}/eligibility" + (f"?{args}" if args else "")


def learner_url(world, learner) -> str:
    return f"/admin/cohorts/{world.cohort.id}/learners/{learner.id}/certification"


def fetch(client, url: str):
    """Get ``url``, read the whole answer and release the file it streams."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def certificate_count() -> int:
    return db.session.scalar(db.select(db.func.count(Certificate.id)))


def decision_count() -> int:
    return db.session.scalar(db.select(db.func.count(CertificationDecision.id)))


def certificate_of(world, learner, **fields) -> Certificate:
    """Create a valid path certificate of the learner in the world's cohort, with a stored PDF."""
    return CertificateFactory(learner=learner, cohort=world.cohort, pdf=PDF, **fields)


# Eligibility -------------------------------------------------------------------------------------


def test_the_eligibility_page_says_who_is_eligible_and_what_each_learner_lacks(world, admin):
    ready = world.eligible_learner(display_name="Alice Prête")
    beginner = world.enrol(display_name="Bruno Débutant")
    world.built.complete_modules(beginner, world.built.modules)
    world.rate(beginner, {"C1.1": 3, "C1.2": 2})

    html = admin.get(eligibility_url(world)).get_data(as_text=True)

    assert f'data-learner="{ready.id}" data-eligible="true"' in html
    assert f'data-learner="{beginner.id}" data-eligible="false"' in html
    assert text("1 of 2 learners is eligible for the path certificate.") in html
    # C1.2 is below its level (with the scale's label); C2.1 has no evidence at all.
    assert "C1.2 Compétence C1.2: 2 (en cours d&#39;acquisition), 3 (acquis) required" in html
    assert "C2.1 Compétence C2.1: no evidence yet, 3 (acquis) required" in html
    assert 'data-block="BC2" data-eligible="false"' in html


def test_a_missing_module_says_what_it_lacks_inside(world, admin):
    world.enrol(display_name="Chloé Nouvelle")

    html = admin.get(eligibility_url(world)).get_data(as_text=True)

    assert 'data-missing="M1"' in html
    assert text("Module %(code)s not completed: %(title)s", code="M1", title="") in html


def test_the_page_shows_the_latest_decision_and_the_certificate(world, admin):
    learner = world.eligible_learner()
    CertificationDecisionFactory(learner=learner, cohort=world.cohort, deferred=True)
    CertificationDecisionFactory(learner=learner, cohort=world.cohort)
    certificate = certificate_of(world, learner)

    html = admin.get(eligibility_url(world)).get_data(as_text=True)

    assert 'data-decision="awarded"' in html
    assert 'data-certificate="valid"' in html
    assert certificate.number in html


def test_administrators_start_a_batch_for_the_awarded_learners_waiting(world, admin, app):
    waiting = world.eligible_learner()
    holder = world.eligible_learner()
    for learner in (waiting, holder):
        CertificationDecisionFactory(learner=learner, cohort=world.cohort)
    certificate_of(world, holder)
    batch_url = f"/admin/cohorts/{world.cohort.id}/certificate-batches"

    html = admin.get(eligibility_url(world)).get_data(as_text=True)

    assert f'action="{batch_url}"' in html
    assert "1 learner is awarded the certificate and waits for it." in html
    trainer = app.test_client()
    log_in(trainer, world.trainer)
    assert batch_url not in trainer.get(eligibility_url(world)).get_data(as_text=True)


def test_no_batch_button_when_nobody_waits(world, admin):
    world.eligible_learner()
    batch_url = f"/admin/cohorts/{world.cohort.id}/certificate-batches"

    assert batch_url not in admin.get(eligibility_url(world)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("show", "expected"),
    [("eligible", {"Alice"}), ("not_eligible", {"Bruno", "Chloé"}), ("decided", {"Bruno"})],
)
def test_the_filters_keep_the_matching_learners(world, admin, show, expected):
    world.eligible_learner(display_name="Alice")
    bruno = world.enrol(display_name="Bruno")
    world.enrol(display_name="Chloé")
    CertificationDecisionFactory(learner=bruno, cohort=world.cohort, refused=True)

    html = admin.get(eligibility_url(world, show=show)).get_data(as_text=True)

    shown = {name for name in ("Alice", "Bruno", "Chloé") if f">{name}</a>" in html}
    assert shown == expected


def test_the_issued_filter_keeps_holders_of_a_valid_path_certificate(world, admin):
    holder = world.eligible_learner(display_name="Alice")
    revoked = world.eligible_learner(display_name="Bruno")
    certificate_of(world, holder)
    certificate_of(world, revoked, revoked=True)

    html = admin.get(eligibility_url(world, show="issued")).get_data(as_text=True)

    assert ">Alice</a>" in html
    assert ">Bruno</a>" not in html


def test_an_unknown_filter_is_ignored_and_said(world, admin):
    world.enrol(display_name="Alice")

    html = admin.get(eligibility_url(world, show="everyone<b>")).get_data(as_text=True)

    assert ">Alice</a>" in html
    assert text("“%(value)s” is not a valid filter; it was ignored.", value="everyone<b>") in html


def test_the_cohort_trainer_reads_the_page_without_acting(world, trainer):
    learner = world.enrol()

    html = trainer.get(eligibility_url(world)).get_data(as_text=True)
    learner_page = trainer.get(learner_url(world, learner)).get_data(as_text=True)

    assert f'data-learner="{learner.id}"' in html
    assert text("Administrators record the decisions and issue the certificates.") in html
    assert "certification/decision" not in learner_page
    assert "certification/issue" not in learner_page


@pytest.mark.parametrize("page", ["", ".csv"])
def test_a_trainer_of_another_cohort_or_a_learner_is_denied(world, client, page):
    other_trainer = UserFactory()
    MembershipFactory(user=other_trainer, cohort=CohortFactory(), trainer=True)
    learner = world.enrol()
    for person in (other_trainer, learner):
        log_in(client, person)
        response = client.get(eligibility_url(world) + page)
        assert response.status_code == 403
        assert learner.email not in response.get_data(as_text=True)
        client.post("/logout")


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.get(eligibility_url(world))
    assert response.headers["Location"].startswith("/login")


def test_unknown_cohorts_and_learners_are_not_found(world, admin):
    outsider = UserFactory()
    assert admin.get("/admin/cohorts/999999/eligibility").status_code == 404
    assert admin.get("/admin/cohorts/999999/eligibility.csv").status_code == 404
    assert admin.get(learner_url(world, outsider)).status_code == 404
    assert (
        admin.get(f"/admin/cohorts/{world.cohort.id}/learners/999999/certification").status_code
        == 404
    )


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_export_has_the_page_rows_and_neutralises_formulas(world, admin):
    world.eligible_learner(display_name="Alice", email="alice@example.org")
    world.enrol(display_name='=HYPERLINK("http://evil.example","x")')
    certificate_of(world, world.eligible_learner(display_name="Zoé"))

    response = admin.get(eligibility_url(world) + ".csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = csv_lines(response)
    assert header[:4] == ["Learner", "Email", "Eligible for the path certificate", "Missing"]
    assert "Block BC1 validated" in header
    assert "Attestation BC2" in header
    by_name = {row[0]: row for row in rows}
    assert by_name["Alice"][1:3] == ["alice@example.org", "yes"]
    evil = by_name['\'=HYPERLINK("http://evil.example","x")']
    assert evil[2] == "no"
    assert "M1 " in evil[3]
    assert "C2.1 Compétence C2.1: no evidence yet" in evil[3]
    assert by_name["Zoé"][header.index("Path certificate")].endswith("(Valid)")


def test_the_csv_export_follows_the_filter(world, admin):
    world.eligible_learner(display_name="Alice")
    world.enrol(display_name="Bruno")

    rows = csv_lines(admin.get(eligibility_url(world) + ".csv?show=not_eligible"))[1:]
    nobody = csv_lines(admin.get(eligibility_url(world) + ".csv?show=issued"))

    assert [row[0] for row in rows] == ["Bruno"]
    assert len(nobody) == 1  # the header alone, with every block's columns
    assert "Attestation BC2" in nobody[0]


def count_eligibility_queries(admin, world, learners: int) -> int:
    """Fill the cohort to this many learners (some decided, some certified); count the page."""
    for number in range(learners - len(world.cohort.memberships) + 1):
        learner = world.eligible_learner() if number % 5 == 0 else world.enrol()
        if number % 5 == 0:
            CertificationDecisionFactory(learner=learner, cohort=world.cohort)
            certificate_of(world, learner)
    url = eligibility_url(world)
    with count_queries() as statements:
        response = admin.get(url)
    assert response.status_code == 200
    return len(statements)


def test_the_page_costs_the_same_queries_for_10_or_40_learners(world, admin):
    few = count_eligibility_queries(admin, world, 10)
    many = count_eligibility_queries(admin, world, 40)
    # 16: whether the path declares a jury (the juries' link); 18: attendance, the modules'
    # minimums (completion) and the path's (eligibility)
    assert few == many <= 18


# A learner's certification page ----------------------------------------------------------------


def test_the_learner_page_shows_eligibility_history_and_certificates(world, admin):
    learner = world.eligible_learner()
    CertificationDecisionFactory(learner=learner, cohort=world.cohort, deferred=True)
    certificate = certificate_of(world, learner)

    html = admin.get(learner_url(world, learner)).get_data(as_text=True)

    assert 'id="eligibility-verdict" data-eligible="true"' in html
    assert "Soutenance à repasser." in html
    assert f'data-certificate="{certificate.number}" data-state="valid"' in html
    assert 'id="override-warning"' not in html
    # Both blocks validated; the path certificate is held, so only attestations can be issued.
    assert 'id="issue-path"' not in html
    assert 'id="issue-BC1"' in html
    assert 'id="issue-BC2"' in html


def test_a_non_eligible_learner_page_warns_that_awarding_is_an_override(world, admin):
    learner = world.enrol()

    html = admin.get(learner_url(world, learner)).get_data(as_text=True)

    assert 'id="override-warning"' in html
    assert 'id="issue-path"' not in html
    assert 'id="issue-BC1"' not in html


def decide(client, world, learner, **data):
    return client.post(learner_url(world, learner) + "/decision", data=data)


def test_awarding_an_eligible_learner_records_the_decision(world, admin):
    learner = world.eligible_learner()

    response = decide(admin, world, learner, outcome="awarded", reason="")

    assert response.headers["Location"] == learner_url(world, learner)
    decision = db.session.scalar(db.select(CertificationDecision))
    assert (decision.outcome, decision.is_override, decision.decided_by_id) == (
        "awarded",
        False,
        world.admin.id,
    )
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="issue-path"' in html


@pytest.mark.parametrize("outcome", ["deferred", "refused"])
def test_deferring_or_refusing_without_a_reason_is_a_form_error(world, admin, outcome):
    learner = world.eligible_learner()

    response = decide(admin, world, learner, outcome=outcome, reason="  ")

    assert response.status_code == 200
    assert text("Say why the certification is deferred or refused.") in response.get_data(
        as_text=True
    )
    assert decision_count() == 0


def test_an_override_needs_a_reason_then_is_recorded_as_such(world, admin):
    learner = world.enrol()

    refused = decide(admin, world, learner, outcome="awarded", reason="")
    assert text(
        "This learner is not eligible: awarding the certificate anyway needs a reason."
    ) in refused.get_data(as_text=True)
    assert decision_count() == 0

    response = decide(admin, world, learner, outcome="awarded", reason="Jury souverain.")

    assert response.headers["Location"] == learner_url(world, learner)
    decision = db.session.scalar(db.select(CertificationDecision))
    assert decision.is_override
    assert decision.reason == "Jury souverain."
    action = db.session.scalar(
        db.select(AuditEvent.action).filter_by(action="certification.override")
    )
    assert action == "certification.override"


def test_the_service_refuses_an_override_the_form_thought_eligible(world, admin, monkeypatch):
    """The service checks eligibility itself: a page read before a change cannot override."""
    learner = world.enrol()
    monkeypatch.setattr(
        "lms.certificates.manage.DecisionForm.validate_reason", lambda form, field: None
    )

    response = decide(admin, world, learner, outcome="awarded", reason="")

    assert "needs a reason" in form_errors(response.get_data(as_text=True))
    assert decision_count() == 0


@pytest.mark.parametrize("outcome", ["", "passed", "awarded\x00"])
def test_a_decision_must_be_one_of_the_three(world, admin, outcome):
    learner = world.eligible_learner()

    response = decide(admin, world, learner, outcome=outcome, reason="x")

    assert response.status_code == 200
    assert decision_count() == 0


def test_forged_fields_do_not_reach_the_decision(world, admin):
    """SECURITY.md C13: the learner, cohort, author and override come from the URL and rules."""
    learner, other = world.enrol(), world.eligible_learner()
    forged = {
        "learner_id": other.id,
        "user_id": other.id,
        "cohort_id": CohortFactory().id,
        "decided_by_id": learner.id,
        "is_override": "n",
        "snapshot": "{}",
    }

    decide(admin, world, learner, outcome="awarded", reason="Jury souverain.", **forged)

    decision = db.session.scalar(db.select(CertificationDecision))
    assert (decision.learner_id, decision.cohort_id, decision.decided_by_id) == (
        learner.id,
        world.cohort.id,
        world.admin.id,
    )
    assert decision.is_override
    assert decision.snapshot["eligible"] is False


def test_trainers_cannot_decide(world, trainer):
    learner = world.eligible_learner()

    response = decide(trainer, world, learner, outcome="awarded", reason="")

    assert response.status_code == 403
    assert decision_count() == 0


def test_a_decision_on_someone_outside_the_cohort_is_not_found(world, admin):
    response = decide(admin, world, UserFactory(), outcome="awarded", reason="")
    assert response.status_code == 404


# Issuing -----------------------------------------------------------------------------------------


def issue(client, world, learner, scope="path"):
    return client.post(learner_url(world, learner) + "/issue", data={"scope": scope})


def test_issuing_without_an_awarded_decision_says_why_and_writes_nothing(world, admin):
    learner = world.eligible_learner(display_name="Alice")
    CertificationDecisionFactory(learner=learner, cohort=world.cohort, deferred=True)

    response = issue(admin, world, learner)

    assert response.headers["Location"] == learner_url(world, learner)
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert text("No decision awards the certificate to %(name)s yet.", name="Alice") in html
    assert certificate_count() == 0


def test_issuing_a_block_the_learner_has_not_validated_is_refused(world, admin):
    learner = world.enrol(display_name="Alice")

    response = issue(admin, world, learner, scope="BC1")

    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert text("%(name)s has not validated the block %(code)s.", name="Alice", code="BC1") in html
    assert certificate_count() == 0


@pytest.mark.parametrize("scope", ["", "BC9", "path\x00", "x" * 40])
def test_an_unknown_scope_is_a_bad_request(world, admin, scope):
    learner = world.eligible_learner()
    CertificationDecisionFactory(learner=learner, cohort=world.cohort)

    assert issue(admin, world, learner, scope=scope).status_code == 400
    assert certificate_count() == 0


@pytest.mark.parametrize("by_admin", [True, False], ids=["by an administrator", "automatically"])
def test_issuing_what_the_learner_already_holds_says_by_whom_and_when(
    world, admin, smtp_server, by_admin
):
    learner = world.eligible_learner(display_name="Alice")
    CertificationDecisionFactory(learner=learner, cohort=world.cohort)
    held = certificate_of(world, learner, issued_by=world.admin if by_admin else None)

    response = issue(admin, world, learner)

    assert response.headers["Location"] == learner_url(world, learner)
    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    values = {
        "name": "Alice",
        "number": held.number,
        "date": format_datetime(held.issued_at, "medium"),
    }
    if by_admin:
        said = text(
            "%(name)s already holds %(number)s, issued by %(by)s on %(date)s.",
            by=world.admin.display_name,
            **values,
        )
    else:
        said = text(
            "%(name)s already holds %(number)s, issued automatically on %(date)s.", **values
        )
    assert said in html
    assert certificate_count() == 1
    assert smtp_server == []


def test_trainers_cannot_issue(world, trainer):
    learner = world.eligible_learner()
    CertificationDecisionFactory(learner=learner, cohort=world.cohort)

    assert issue(trainer, world, learner).status_code == 403
    assert certificate_count() == 0


def test_issuing_after_an_awarded_decision_creates_the_certificate(world, admin, smtp_server):
    learner = world.eligible_learner()
    decide(admin, world, learner, outcome="awarded", reason="")

    response = issue(admin, world, learner)

    certificate = db.session.scalar(db.select(Certificate))
    assert response.headers["Location"] == f"/admin/certificates/{certificate.id}"
    assert (certificate.scope, certificate.state, certificate.issued_by_id) == (
        "path",
        "valid",
        world.admin.id,
    )
    assert certificate.storage_key
    assert certificate.pdf_sha256
    assert fetch(admin, f"/admin/certificates/{certificate.id}/pdf").data.startswith(b"%PDF")
    (message,) = smtp_server  # the learner hears of it, once the certificate is committed
    assert message["To"] == learner.email
    assert certificate.number in message.get_body().get_content()


def test_issuing_a_validated_block_creates_its_attestation(world, admin):
    learner = world.enrol()
    world.built.complete_modules(learner, world.built.modules)
    world.rate(learner, {"C1.1": 3, "C1.2": 4, "C2.1": 1})

    issue(admin, world, learner, scope="BC1")

    certificate = db.session.scalar(db.select(Certificate))
    assert (certificate.kind, certificate.scope, certificate.block_id) == (
        "block",
        "BC1",
        world.blocks["BC1"].id,
    )


# The certificates list -------------------------------------------------------------------------


def listed(client, **query) -> set[str]:
    """Return the numbers the list shows for this query."""
    html = client.get("/admin/certificates", query_string=query).get_data(as_text=True)
    return set(re.findall(r'data-certificate="([^"]+)"', html))


def test_the_list_searches_by_number_name_or_email_and_filters(world, admin):
    alice = world.enrol(display_name="Alice Martin", email="alice@example.org")
    bruno = world.enrol(display_name="Bruno Petit", email="bruno@example.org")
    first = certificate_of(world, alice)
    second = certificate_of(world, bruno, revoked=True)
    other_cohort = CohortFactory(path=world.path)
    third = CertificateFactory(cohort=other_cohort, learner=UserFactory(display_name="Chloé"))

    assert listed(admin) == {first.number, second.number, third.number}
    assert listed(admin, q=first.number.lower()) == {first.number}
    assert listed(admin, q="petit") == {second.number}
    assert listed(admin, q="alice@EXAMPLE") == {first.number}
    assert listed(admin, q="%") == set()  # wildcards are taken literally
    assert listed(admin, state="revoked") == {second.number}
    assert listed(admin, cohort=str(other_cohort.id)) == {third.number}


def test_an_impossible_filter_asks_to_correct_it(world, admin):
    html = admin.get("/admin/certificates?cohort=999999&state=lost").get_data(as_text=True)
    assert text("Correct the filters to see the certificates.") in html


def test_the_list_has_fifty_certificates_a_page(world, admin):
    learner = world.enrol()
    for _ in range(51):
        CertificateFactory(cohort=world.cohort, learner=learner, revoked=True)

    first = admin.get("/admin/certificates?state=revoked").get_data(as_text=True)
    second = admin.get("/admin/certificates?state=revoked&page=2").get_data(as_text=True)

    assert first.count("data-certificate=") == 50
    assert second.count("data-certificate=") == 1
    assert "page=2" in first
    assert "state=revoked" in first


def test_the_list_costs_the_same_queries_for_few_or_many(world, admin):
    def count() -> int:
        with count_queries() as statements:
            admin.get("/admin/certificates")
        return len(statements)

    CertificateFactory(cohort=world.cohort, learner=world.enrol())
    few = count()
    for _ in range(20):
        CertificateFactory(cohort=world.cohort, learner=world.enrol())
    assert count() == few <= 15


def test_the_list_and_detail_are_for_administrators(world, trainer):
    certificate = certificate_of(world, world.enrol())
    assert trainer.get("/admin/certificates").status_code == 403
    assert trainer.get(f"/admin/certificates/{certificate.id}").status_code == 403
    assert trainer.get(f"/admin/certificates/{certificate.id}/pdf").status_code == 403


# Detail, revocation, re-issue, download -------------------------------------------------------


def detail(client, certificate) -> str:
    return client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)


def test_the_detail_shows_what_was_recorded(world, admin):
    learner = world.enrol(display_name="Alice Martin", email="alice@example.org")
    decision = CertificationDecisionFactory(learner=learner, cohort=world.cohort, override=True)
    certificate = certificate_of(world, learner, decision=decision, issued_by=world.admin)

    html = detail(admin, certificate)

    for fact in (certificate.number, "Alice Martin", "alice@example.org", world.cohort.name):
        assert fact in html
    assert certificate.pdf_sha256 in html
    assert certificate.document["verification_url"] in html
    assert 'id="download-pdf"' in html
    assert text("override") in html


def test_unknown_certificates_are_not_found(admin):
    for url in ("/admin/certificates/999999", "/admin/certificates/999999/pdf"):
        assert admin.get(url).status_code == 404
    for action in ("revoke", "reissue"):
        assert admin.post(f"/admin/certificates/999999/{action}", data={}).status_code == 404


def revoke(client, certificate, **data):
    return client.post(f"/admin/certificates/{certificate.id}/revoke", data=data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": " ", "confirm": "y"}, "This field is required."),
        ({"reason": "Fraude."}, "Tick the box to confirm the revocation."),
        ({"reason": "a\x00b", "confirm": "y"}, "Remove the invisible or control characters"),
        ({"reason": "x" * 2001, "confirm": "y"}, "Field cannot be longer than 2000 characters."),
    ],
)
def test_revoking_needs_a_reason_and_a_confirmation(world, admin, data, message):
    certificate = certificate_of(world, world.enrol())

    response = revoke(admin, certificate, **data)

    assert response.status_code == 200
    assert text(message) in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.VALID


def test_revoking_keeps_the_record_and_audits_it_and_twice_is_refused(world, admin, smtp_server):
    certificate = certificate_of(world, world.enrol())

    response = revoke(admin, certificate, reason="Fraude constatée.", confirm="y")

    assert response.headers["Location"] == f"/admin/certificates/{certificate.id}"
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.REVOKED
    assert certificate.revocation_reason == "Fraude constatée."
    html = detail(admin, certificate)
    assert 'data-action="certificate.revoke"' in html
    assert 'id="download-pdf"' in html  # administrators still read a revoked PDF
    (message,) = smtp_server
    assert "Fraude constatée." in message.get_body().get_content()

    again = revoke(admin, certificate, reason="Encore.", confirm="y")

    html = admin.get(again.headers["Location"]).get_data(as_text=True)
    assert text("Only a valid certificate can be revoked.") in html
    db.session.refresh(certificate)
    assert certificate.revocation_reason == "Fraude constatée."
    assert len(smtp_server) == 1  # a refused revocation tells nobody


def reissue(client, certificate, **data):
    return client.post(f"/admin/certificates/{certificate.id}/reissue", data=data)


def test_re_issuing_a_revoked_certificate_is_refused(world, admin):
    certificate = certificate_of(world, world.enrol(), revoked=True)

    response = reissue(admin, certificate, reason="Nom corrigé.")

    html = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert text("Only a valid certificate can be re-issued.") in html
    assert certificate_count() == 1


def test_re_issuing_needs_a_reason(world, admin):
    certificate = certificate_of(world, world.enrol())

    response = reissue(admin, certificate, reason="")

    assert text("This field is required.") in response.get_data(as_text=True)
    assert certificate_count() == 1


def test_re_issuing_supersedes_the_old_certificate(world, admin, smtp_server):
    learner = world.eligible_learner(display_name="Alice Martinn")
    decide(admin, world, learner, outcome="awarded", reason="")
    issue(admin, world, learner)
    old = db.session.scalar(db.select(Certificate))
    learner.display_name = "Alice Martin"
    db.session.commit()

    response = reissue(admin, old, reason="Nom corrigé.")

    new = db.session.scalar(db.select(Certificate).filter_by(supersedes_id=old.id))
    assert response.headers["Location"] == f"/admin/certificates/{new.id}"
    db.session.refresh(old)
    assert old.state == CertificateState.SUPERSEDED
    assert new.learner_name == "Alice Martin"
    html = detail(admin, old)
    assert f'href="/admin/certificates/{new.id}"' in html
    assert text("superseded by %(number)s", number=new.number) in html
    assert [message["To"] for message in smtp_server] == [learner.email, learner.email]
    assert new.number in smtp_server[-1].get_body().get_content()


def test_administrators_download_any_stored_pdf_as_an_attachment(world, admin):
    certificate = certificate_of(world, world.enrol(), revoked=True)

    response = fetch(admin, f"/admin/certificates/{certificate.id}/pdf")

    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificat-{certificate.number}.pdf"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_certificate_without_a_stored_pdf_has_no_download(world, admin):
    certificate = CertificateFactory(learner=world.enrol(), cohort=world.cohort)

    assert 'id="download-pdf"' not in detail(admin, certificate)
    assert admin.get(f"/admin/certificates/{certificate.id}/pdf").status_code == 404


# Links -------------------------------------------------------------------------------------------


def test_staff_pages_link_to_the_certification_pages(world, admin, client):
    assert "/admin/certificates" in admin.get("/admin/").get_data(as_text=True)
    members = admin.get(f"/admin/cohorts/{world.cohort.id}/members").get_data(as_text=True)
    assert eligibility_url(world) in members
    client.post("/logout")
    log_in(client, world.trainer)
    assert eligibility_url(world) in client.get("/manage/cohorts/").get_data(as_text=True)
