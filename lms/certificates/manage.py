"""Certification pages for staff (blueprint ``certificates_admin``).

Who sees what:

- the eligibility of a cohort (page and CSV) and a learner's certification page are reports for
  those who follow the cohort (``followed_cohort_or_403``): central administrators, its
  trainers and the local administrators of its territory; trainers and local administrators
  read only (no decision form, no issue button) — deciding and issuing belong to the central
  administrators (the certification team), as the jury's secretary does in Moodle's or Open
  edX's certificate workflows; a local administrator of another territory gets 404;
- recording a decision, issuing, and the certificates list, detail, revocation, re-issue and
  download are for central administrators only (``admin_required``: 403 to everyone else,
  before any object is looked up, so an unknown id and another territory's are answered alike).

Every write loads its objects, checks the form, calls one service, commits once, tells the
certificate's learner by e-mail where relevant (after the commit), flashes and redirects.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.accounts.permissions import acting_user, admin_required
from lms.certificates.credentials.issuance import credential_of
from lms.certificates.decisions import decision_history, record_decision
from lms.certificates.download import pdf_download
from lms.certificates.eligibility import learner_eligibility
from lms.certificates.errors import CertificateError
from lms.certificates.forms import (
    OUTCOME_LABELS,
    STATE_LABELS,
    CertificateFilterForm,
    DecisionForm,
    IssueForm,
    ReissueForm,
    RevokeForm,
)
from lms.certificates.issuing import current_certificate, issue_once
from lms.certificates.jury.definition import jury_of_path
from lms.certificates.models import PATH_SCOPE, Certificate, DecisionOutcome
from lms.certificates.notify import notify_issued, notify_reissued, notify_revoked
from lms.certificates.queries import (
    ELIGIBILITY_FILTERS,
    certificate_audit,
    certificate_page,
    certificate_query,
    cohorts_by_name,
    eligibility_csv_rows,
    eligibility_page,
    learner_path_certificates,
    scale_labels,
    supersession_chain,
)
from lms.certificates.revocation import reissue_certificate, revoke_certificate
from lms.certificates.settings import settings_context
from lms.cohorts.access import cohort_learner_or_404, followed_cohort_or_403
from lms.cohorts.models import Cohort
from lms.core.csv import csv_response
from lms.core.transactions import unit_of_work
from lms.core.web import link_args, page_number
from lms.curriculum.models import CompetencyBlock, TrainingPath
from lms.extensions import db
from lms.organisations.filters import territory_filter

bp = Blueprint("certificates_admin", __name__, url_prefix="/admin")


@bp.context_processor
def _labels() -> dict:
    """Give the templates the translated names of outcomes and certificate states."""
    return {"outcome_labels": OUTCOME_LABELS, "state_labels": STATE_LABELS}


def staff_cohort(cohort_id: int) -> Cohort:
    """Return the cohort for those who follow it (``lms.cohorts.access``), with its path and the
    path's scale.

    They come in the same query, so that the report does not fetch them one by one.
    """
    return followed_cohort_or_403(
        cohort_id, joinedload(Cohort.path).joinedload(TrainingPath.proficiency_levels)
    )


# Eligibility -----------------------------------------------------------------------------------


def eligibility_filter() -> tuple[str | None, list[str]]:
    """Return the filter asked for in the query string, and a note when it is unknown."""
    wanted = request.args.get("show") or None
    if wanted is not None and wanted not in ELIGIBILITY_FILTERS:
        note = _("“%(value)s” is not a valid filter; it was ignored.", value=wanted)
        return None, [note]
    return wanted, []


@bp.get("/cohorts/<int:cohort_id>/eligibility")
def eligibility(cohort_id: int):
    """Show who is eligible for the path certificate and each block attestation, and why not."""
    cohort = staff_cohort(cohort_id)
    wanted, problems = eligibility_filter()
    return render_template(
        "certificates/manage/eligibility.html",
        cohort=cohort,
        page=eligibility_page(cohort, wanted),
        wanted=wanted,
        problems=problems,
        filters=ELIGIBILITY_FILTERS,
        has_jury=jury_of_path(cohort.path_id) is not None,
        **settings_context(),
    )


@bp.get("/cohorts/<int:cohort_id>/eligibility.csv")
def eligibility_csv(cohort_id: int):
    """Export the eligibility page as CSV (same filter, spreadsheet-safe)."""
    cohort = staff_cohort(cohort_id)
    wanted, _problems = eligibility_filter()
    rows = eligibility_csv_rows(eligibility_page(cohort, wanted), OUTCOME_LABELS, STATE_LABELS)
    return csv_response(rows, f"eligibility-cohort-{cohort.id}.csv")


# A learner's certification -----------------------------------------------------------------------


def render_learner(cohort: Cohort, learner: User, form: DecisionForm | None = None):
    """Render a learner's certification page (with ``form`` carrying its errors, if given)."""
    judged = learner_eligibility(cohort, learner)
    history = decision_history(cohort, learner)
    certificates = learner_path_certificates(learner, cohort.path_id)
    held = {c.scope for c in certificates if c.is_valid}
    latest = history[0] if history else None
    return render_template(
        "certificates/manage/learner.html",
        cohort=cohort,
        learner=learner,
        judged=judged,
        levels=scale_labels(cohort.path),
        history=history,
        certificates=certificates,
        can_manage=current_user.is_admin,
        has_jury=jury_of_path(cohort.path_id) is not None,
        form=form or DecisionForm(is_eligible=judged.is_eligible, formdata=None),
        issue_form=IssueForm(formdata=None),
        can_issue_path=(latest is not None and latest.awards and PATH_SCOPE not in held),
        issuable_blocks=[b for b in judged.blocks if b.is_eligible and b.code not in held],
        **settings_context(),
    )


def learner_url(cohort: Cohort, learner: User) -> str:
    return url_for(".learner", cohort_id=cohort.id, user_id=learner.id)


@bp.get("/cohorts/<int:cohort_id>/learners/<int:user_id>/certification")
def learner(cohort_id: int, user_id: int):
    """Show a learner's eligibility, decisions and certificates; administrators act here."""
    cohort = staff_cohort(cohort_id)
    return render_learner(cohort, cohort_learner_or_404(cohort, user_id))


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/certification/decision")
@admin_required
def decide(cohort_id: int, user_id: int):
    """Record the certification decision on a learner (awarding a non-eligible one overrides)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    learner = cohort_learner_or_404(cohort, user_id)
    form = DecisionForm(is_eligible=learner_eligibility(cohort, learner).is_eligible)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                decision = record_decision(
                    cohort,
                    learner,
                    outcome=DecisionOutcome(form.outcome.data),
                    reason=form.reason.data or "",
                    decided_by=acting_user(),
                )
        except CertificateError as error:
            form.form_errors.append(str(error))
        else:
            flash(decision_message(decision), "success")
            return redirect(learner_url(cohort, learner))
    return render_learner(cohort, learner, form)


def decision_message(decision) -> str:
    """Say what was recorded."""
    if decision.is_override:
        return _(
            "The certificate was awarded to %(name)s by override.",
            name=decision.learner.display_name,
        )
    return _(
        "Decision recorded for %(name)s: %(outcome)s.",
        name=decision.learner.display_name,
        outcome=OUTCOME_LABELS[decision.outcome],
    )


def scope_block(cohort: Cohort, scope: str) -> CompetencyBlock | None:
    """Return the block a scope names on the cohort's path (None for the path); 400 if unknown."""
    if scope == PATH_SCOPE:
        return None
    block = db.session.scalar(
        db.select(CompetencyBlock).filter_by(path_id=cohort.path_id, code=scope)
    )
    if block is None:
        abort(400)
    return block


@bp.post("/cohorts/<int:cohort_id>/learners/<int:user_id>/certification/issue")
@admin_required
def issue(cohort_id: int, user_id: int):
    """Issue a learner's path certificate (after an awarded decision) or a block attestation."""
    cohort = db.get_or_404(Cohort, cohort_id)
    learner = cohort_learner_or_404(cohort, user_id)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    block = scope_block(cohort, form.scope.data)
    if held := current_certificate(learner, cohort.path_id, form.scope.data):
        return already_held(cohort, learner, held)
    with unit_of_work(error_redirect=learner_url(cohort, learner)):
        issuance = issue_once(cohort, learner, issued_by=acting_user(), block=block)
    certificate = issuance.certificate
    if not issuance.created:  # issued meanwhile by another request: that one told the learner
        return already_held(cohort, learner, certificate)
    notify_issued(certificate)
    flash(_("Certificate %(number)s was issued.", number=certificate.number), "success")
    return redirect(url_for(".certificate_detail", certificate_id=certificate.id))


def already_held(cohort: Cohort, learner: User, certificate: Certificate):
    """Say the learner already holds the certificate (number, by whom, when); go to their page."""
    values = {
        "name": learner.display_name,
        "number": certificate.number,
        "date": format_datetime(certificate.issued_at, "medium"),
    }
    if certificate.issued_by is None:
        message = _(
            "%(name)s already holds %(number)s, issued automatically on %(date)s.", **values
        )
    else:
        by = certificate.issued_by.display_name
        message = _(
            "%(name)s already holds %(number)s, issued by %(by)s on %(date)s.", by=by, **values
        )
    flash(message, "info")
    return redirect(learner_url(cohort, learner))


# Certificates ----------------------------------------------------------------------------------


@bp.get("/certificates")
@admin_required
def certificate_list():
    """List the certificates, searched by number, name or e-mail, filtered, fifty per page."""
    form = CertificateFilterForm(formdata=request.args)
    form.set_cohorts(cohorts_by_name())
    territories = territory_filter()
    pagination = None
    if form.validate():
        cohort_id = int(form.cohort.data) if form.cohort.data else None
        query = certificate_query(
            form.q.data or "", cohort_id, form.state.data or "", territories.territory_ids
        )
        pagination = certificate_page(query, page_number())
    return render_template(
        "certificates/manage/list.html",
        form=form,
        pagination=pagination,
        args={**link_args(form), **territories.args},
        territories=territories,
    )


def render_detail(certificate: Certificate, revoke_form=None, reissue_form=None):
    """Render a certificate's page (with forms carrying their errors, if given)."""
    chain = supersession_chain(certificate)
    return render_template(
        "certificates/manage/detail.html",
        certificate=certificate,
        chain=chain,
        events=certificate_audit(chain),
        credential=credential_of(certificate.id),
        revoke_form=revoke_form or RevokeForm(formdata=None),
        reissue_form=reissue_form or ReissueForm(formdata=None),
    )


@bp.get("/certificates/<int:certificate_id>")
@admin_required
def certificate_detail(certificate_id: int):
    """Show everything recorded about a certificate, its supersession chain and its audit trail."""
    return render_detail(db.get_or_404(Certificate, certificate_id))


def detail_url(certificate: Certificate) -> str:
    return url_for(".certificate_detail", certificate_id=certificate.id)


@bp.post("/certificates/<int:certificate_id>/revoke")
@admin_required
def revoke(certificate_id: int):
    """Revoke a valid certificate, with a reason; anyone checking it then sees it revoked."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return render_detail(certificate, revoke_form=form)
    with unit_of_work(error_redirect=detail_url(certificate)):
        revoke_certificate(certificate, revoked_by=acting_user(), reason=form.reason.data)
    notify_revoked(certificate)
    flash(_("Certificate %(number)s was revoked.", number=certificate.number), "success")
    return redirect(detail_url(certificate))


@bp.post("/certificates/<int:certificate_id>/reissue")
@admin_required
def reissue(certificate_id: int):
    """Issue a new certificate superseding a valid one (e.g. after a name correction)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        return render_detail(certificate, reissue_form=form)
    with unit_of_work(error_redirect=detail_url(certificate)):
        new = reissue_certificate(certificate, issued_by=acting_user(), reason=form.reason.data)
    notify_reissued(new, certificate)
    flash(
        _(
            "Certificate %(number)s was issued; it supersedes %(old)s.",
            number=new.number,
            old=certificate.number,
        ),
        "success",
    )
    return redirect(detail_url(new))


@bp.get("/certificates/<int:certificate_id>/pdf")
@admin_required
def download(certificate_id: int):
    """Send any stored certificate PDF, revoked and superseded ones included, as an attachment."""
    return pdf_download(db.get_or_404(Certificate, certificate_id))
