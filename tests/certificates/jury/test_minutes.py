"""A closed jury's minutes, rendered for real and checked by qpdf, pikepdf and poppler; the
certificates issued from its decisions name its date; a partial validation lets its blocks'
attestations be issued."""

from __future__ import annotations

import io
from datetime import timedelta

import pikepdf
import pytest

from lms.certificates.document import document_from_json
from lms.certificates.issuing import issue_certificate
from lms.certificates.jury.closing import close_jury
from lms.certificates.jury.composition import open_jury
from lms.certificates.jury.minutes_store import open_minutes
from lms.certificates.jury.models import Jury, Proposal
from lms.certificates.jury.votes import cast_vote
from lms.core.time import utcnow
from lms.demo import DEMO_CERTIFICATE_SETTINGS
from lms.extensions import db
from tests.certificates.helpers import make_certificate_world
from tests.certificates.jury.support import JuryWorld, declare_jury, seat
from tests.certificates.test_pdf import run_tool, text_of
from tests.factories import CohortFactory, MembershipFactory, UserFactory

RNCP = "CERTIFICATE_RNCP_CODE"


def test_closing_renders_checked_minutes_and_certificates_follow_the_jury(
    app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "CERTIFICATE_RNCP_CODE", DEMO_CERTIFICATE_SETTINGS[RNCP])
    world = make_certificate_world()
    laureate = world.eligible_learner(display_name="Léa Lauréate")
    partial = world.enrol(display_name="Paul Partiel")
    declare_jury(world.built.path)
    jury = Jury(cohort=world.cohort, held_on=utcnow().date(), place="Lyon")
    db.session.add(jury)
    db.session.commit()
    built = JuryWorld(world.cohort, jury, [laureate, partial])
    trainer = UserFactory(display_name="Élise Formatrice")
    MembershipFactory(cohort=CohortFactory(path=world.built.path), user=trainer, trainer=True)
    seat(built, "formateur", trainer, president=True)
    seat(built, "professionnel", UserFactory(display_name="Paul Pro"), organisation="Coop")
    seat(
        built,
        "financeur",
        UserFactory(display_name="Fanny Métropole"),
        organisation="Métropole de Lyon",
    )
    open_jury(world.admin, jury, utcnow().date())
    for member in built.members.values():
        cast_vote(
            member,
            laureate,
            proposal=Proposal.AWARD_PATH,
            blocks=[],
            comment="",
            recommendations="",
            expected_version=None,
        )
        proposal = Proposal.DEFER if member.seat == "financeur" else Proposal.AWARD_BLOCKS
        cast_vote(
            member,
            partial,
            proposal=proposal,
            blocks=["BC1"] if proposal == Proposal.AWARD_BLOCKS else [],
            comment="",
            recommendations="Reprendre le BC2." if member.is_president else "",
            expected_version=None,
        )
    db.session.commit()
    _decisions, minutes = close_jury(built.president, jury)
    db.session.commit()
    with open_minutes(minutes) as stream:
        pdf = stream.read()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.open_metadata()
        assert metadata["pdfaid:part"] == "3"
        assert metadata["pdfaid:conformance"] == "A"
    check = run_tool("qpdf", "--check", pdf=pdf, tmp_path=tmp_path)
    assert check.returncode == 0, check.stdout
    text = " ".join(text_of(pdf, tmp_path).split())
    assert minutes.jury_id == jury.id
    for expected in (
        "Léa Lauréate",
        "Paul Partiel",
        "Métropole de Lyon",
        "Reprendre le BC2.",
        "Code RNCP",
        "RNCP-DÉMO",
    ):
        assert expected in text
    certificate = issue_certificate(world.cohort, laureate, issued_by=world.admin)
    assert document_from_json(certificate.document).jury_on == jury.held_on
    attestation = issue_certificate(
        world.cohort, partial, issued_by=world.admin, block=world.blocks["BC1"]
    )
    assert attestation.scope == "BC1"
    assert timedelta(0) <= utcnow() - certificate.issued_at


@pytest.fixture(autouse=True)
def _clean(app):
    return
