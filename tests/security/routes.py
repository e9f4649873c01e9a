"""Who may use each route: one line per ``(endpoint, method)`` of ``app.url_map``.

Add one line for every route you create, e.g.::

    ("admin.user_edit", "GET"): admin(user_id="learner_b"),
    ("admin.user_edit", "POST"): admin(user_id="learner_b", data={"display_name": "Zoé"}),
    ("accounts.session_end", "POST"): logged_in(session_id="own_session"),
    ("cohorts_manage.roster", "GET"): staff(cohort_id="cohort"),

URL arguments and ``ref(...)`` form values name objects of the test world
(tests/security/world.py): ``cohort`` (learner A's and B's cohort, trained by ``trainer``),
``other_cohort`` (on another path, trained by ``other_trainer``, learner ``other_learner``),
the users ``learner_a``, ``learner_b``, ``trainer``, ``other_trainer``, ``admin``, ``outsider``
(active, in no cohort), ``assessor`` (external assessor of ``cohort``) and ``assessor_expired``
(the same, whose access ended yesterday), ``local_admin`` (local administrator of
``territory``, the territory of ``cohort``) and ``other_local_admin`` (of ``other_territory``,
the territory of ``other_cohort``), ``path``, ``module`` and ``lesson`` (M1 of the
cohort's path), ``other_path``, ``other_module`` and ``other_lesson``. Names that depend on the
persona (``own_session``) have their recipe in ``RESOLVERS``; ``FOREIGN`` names, for the IDOR
sweep, an object of the same kind that the allowed personas must not reach.

The rule says which personas are allowed (see ``Access``); everyone else is denied: anonymous
visitors are redirected to the login page, authenticated people get 403, except the local
administrator of the other territory on a route naming an object of ``cohort``'s territory
(``TERRITORY_OBJECTS``), who gets the 404 of an unknown id (SECURITY.md J39) — unless the route
is central-only (``ADMIN``): it answers 403 to every non-central person before looking anything
up, so unknown ids and another territory's are answered alike (``denied_status``). An allowed
request must answer a page or a redirect, or ``status=`` when the recipe leads to another answer
(e.g. ``status=400`` for a form posted without its link's token). Every line feeds the persona
matrix, the IDOR sweep, the CSRF and GET checks, the header checks and the form fuzzing; forms
people fill in also get a line in tests/security/test_mass_assignment.py ``FORMS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.quality.positioning.support import PositioningFormData

# External assessors (SECURITY.md J38) are no staff and no learners: every route answers them as
# it answers a logged-in person with no role, until the marking pages allocate them work.
PERSONAS = (
    "anonymous",
    "learner_a",
    "learner_b",
    "trainer",
    "other_trainer",
    "admin",
    "assessor",
    "assessor_expired",
    "jury_member",
    "local_admin",
    "other_local_admin",
)


@dataclass(frozen=True)
class Access:
    """A class of route: its name and the personas it lets through."""

    name: str
    allowed: frozenset[str]

    def __repr__(self) -> str:
        return f"Access.{self.name}"


Access.PUBLIC = Access("PUBLIC", frozenset(PERSONAS))
Access.LOGGED_IN = Access("LOGGED_IN", frozenset(PERSONAS) - {"anonymous"})
# The learner whose object the URL names (learner A), nobody else.
Access.OWNER = Access("OWNER", frozenset({"learner_a"}))
Access.LEARNER_OF_COHORT = Access("LEARNER_OF_COHORT", frozenset({"learner_a", "learner_b"}))
Access.TRAINER_OF_COHORT = Access("TRAINER_OF_COHORT", frozenset({"trainer"}))
# Anyone who trains some cohort (the trainer home).
Access.ANY_TRAINER = Access("ANY_TRAINER", frozenset({"trainer", "other_trainer"}))
# Anyone who trains some cohort, or an administrator (the grading queue).
Access.ANY_STAFF = Access("ANY_STAFF", frozenset({"trainer", "other_trainer", "admin"}))
# Trainer of the cohort or administrator.
Access.STAFF_OF_COHORT = Access("STAFF_OF_COHORT", frozenset({"trainer", "admin"}))
# Learner A's object, seen by learner A, the cohort's trainer or an administrator.
Access.OWNER_OR_STAFF = Access("OWNER_OR_STAFF", frozenset({"learner_a", "trainer", "admin"}))
# Learner A's object, seen by learner A or an administrator (a certificate's PDF).
Access.OWNER_OR_ADMIN = Access("OWNER_OR_ADMIN", frozenset({"learner_a", "admin"}))
Access.ADMIN = Access("ADMIN", frozenset({"admin"}))
# Territories (SECURITY.md J39): the cohort's administrators, central or of its territory.
Access.COHORT_ADMIN = Access("COHORT_ADMIN", frozenset({"admin", "local_admin"}))
# Anyone who administers some territory: central and both local administrators (the cohorts
# list, a new cohort, the import: each scoped to the person's territories).
Access.TERRITORY_ADMIN = Access(
    "TERRITORY_ADMIN", frozenset({"admin", "local_admin", "other_local_admin"})
)
# Those who follow the cohort: its trainer and its administrators (reports, sessions, sheets).
Access.FOLLOWERS = Access("FOLLOWERS", frozenset({"trainer", "admin", "local_admin"}))
# Learner A's object, seen by learner A or by those who follow the cohort (a supporting file).
Access.OWNER_OR_FOLLOWERS = Access(
    "OWNER_OR_FOLLOWERS", frozenset({"learner_a", "trainer", "admin", "local_admin"})
)
# A member of the world's jury (its president), while their access lasts.
Access.JURY_MEMBER = Access("JURY_MEMBER", frozenset({"jury_member"}))
# Learner A's project: learner A, the cohort's trainer, an administrator (central, or of the
# project's territory), a juror of learner A.
Access.PROJECT_READER = Access(
    "PROJECT_READER", frozenset({"learner_a", "trainer", "admin", "local_admin", "jury_member"})
)
# Learner A's project's ex post evaluation: the cohort's trainer, an administrator, a juror.
Access.PROJECT_EX_POST = Access("PROJECT_EX_POST", frozenset({"trainer", "admin", "jury_member"}))


@dataclass(frozen=True)
class Ref:
    """A form value that is the id of a world object (resolved per persona)."""

    name: str


def ref(name: str) -> Ref:
    """Return a form value standing for the id of the world object ``name``."""
    return Ref(name)


@dataclass(frozen=True)
class Rule:
    """How a route is protected and how to call it: URL arguments, form data, query string."""

    access: Access
    url_args: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    # The status an allowed persona gets, when it is not a page or redirect (e.g. 400).
    status: int | None = None


def _maker(access: Access) -> Callable[..., Rule]:
    def make(
        *, data: Mapping | None = None, query: Mapping | None = None, status=None, **url_args
    ) -> Rule:
        return Rule(access, url_args, data or {}, query or {}, status)

    make.__doc__ = (
        f"Return a {access.name} rule: ``data`` (form), ``query``, ``status`` (of an allowed"
        " request when not a page or redirect); other keyword arguments are URL arguments."
    )
    return make


public = _maker(Access.PUBLIC)
logged_in = _maker(Access.LOGGED_IN)
owner = _maker(Access.OWNER)
learner = _maker(Access.LEARNER_OF_COHORT)
trainer = _maker(Access.TRAINER_OF_COHORT)
any_trainer = _maker(Access.ANY_TRAINER)
any_staff = _maker(Access.ANY_STAFF)
staff = _maker(Access.STAFF_OF_COHORT)
owner_or_staff = _maker(Access.OWNER_OR_STAFF)
owner_or_admin = _maker(Access.OWNER_OR_ADMIN)
admin = _maker(Access.ADMIN)
cohort_admin = _maker(Access.COHORT_ADMIN)
territory_admin = _maker(Access.TERRITORY_ADMIN)
followers = _maker(Access.FOLLOWERS)
owner_or_followers = _maker(Access.OWNER_OR_FOLLOWERS)
jury_member = _maker(Access.JURY_MEMBER)
project_reader = _maker(Access.PROJECT_READER)
project_ex_post = _maker(Access.PROJECT_EX_POST)

DEFAULT_PASSWORD = "correct horse battery staple"  # the password of every world persona
NEW_PASSWORD = "Un tout autre mot de passe 2024 !"
NEW_PASSWORDS = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
CHANGE_PASSWORD = {"current_password": DEFAULT_PASSWORD, **NEW_PASSWORDS}
WRONG_CODE = "12345x"  # never a valid one-time code, whatever the time
DISABLE_TWO_FACTOR = {"disable-password": DEFAULT_PASSWORD, "disable-code": WRONG_CODE}

COHORT_DATES = {"starts_on": "2020-01-06", "ends_on": "2035-12-21", "state": "active"}
NEW_COHORT = {
    "name": "Promotion matrice",
    "path": ref("path"),
    "territory": ref("own_territory"),
    "capacity": "30",
    **COHORT_DATES,
}
EDITED_COHORT = {
    "name": "Promotion renommée",
    "path": ref("path"),
    "territory": ref("territory"),
    **COHORT_DATES,
}
NEW_MEMBER = {"email": "olga.out@example.org", "role": "learner"}
# Territories and the organisation
NEW_TERRITORY = {"code": "matrice", "name": "Territoire matrice", "area": "", "company": ""}
EDITED_TERRITORY = {"code": "renomme", "name": "Territoire renommé", "company": "Co-dév"}
NEW_LOCAL_ADMIN = {"email": "olga.out@example.org"}
NEW_ASSESSOR = {
    "invite-email": "eva.extern@example.org",
    "invite-display_name": "Eva Extern",
    "invite-locale": "fr",
    "invite-access_ends_on": ref("in_ninety_days"),
}
NEW_USER = {"email": "nina.new@example.org", "display_name": "Nina New", "locale": "fr"}
# The world's grade is at version 1: this save is accepted.
GRADE_SAVE = {"version": "1", "action": "save", "feedback": "Premier retour."}
MARKING_SAVE = {"version": "1", "action": "save", "feedback": "Premier avis."}
EDITED_USER = {"email": "olga.out@example.org", "display_name": "Olga Renamed", "locale": "en"}
EXTENSION = {"learner": ref("learner_a"), "due_at": "2030-01-15T12:00", "reason": "Santé"}
DECISION = {"outcome": "deferred", "reason": "Soutenance à repasser."}
NEW_JURY = {"held_on": "2030-06-02", "place": "Lyon"}
NEW_SEAT = {
    "email": "olga.out@example.org",
    "seat": "professionnel",
    "access_ends_on": "2030-07-01",
    "locale": "fr",
}
REVOCATION = {"reason": "Délivré par erreur.", "confirm": "y"}
# A session of M1 in three weeks, led by the cohort's trainer (the world's session is tomorrow).
NEW_SESSION = {
    "module": ref("module"),
    "day": ref("in_three_weeks"),
    "starts": "09:00",
    "ends": "12:30",
    "modality": "in_person",
    "place": "Tiers-lieu La Coursive, 8 rue de Paris, Lille",
    "trainers": ref("trainer"),
}
# A project of the world (tests/projects/support.py): its three dimensions, its domains by ref.
NEW_PROJECT = {
    "title": "Cantine partagée",
    "holder": "Association Les Fourneaux",
    "partners": "Mairie\nCentre social",
    "territory": ref("territory"),
    "domains": ref("project_domain"),
    "stage": "idea",
    "description": "Des repas cuisinés ensemble.",
}
EDITED_PROJECT = {**NEW_PROJECT, "title": "Cantine partagée (bis)", "version": "1"}
# Learner A's project has its ex post evaluation (tests/projects/links_support.py): the form
# amends it, from the version it was read at.
PROJECT_VALUES = {
    "version": "1",
    **{
        f"{field}_{code}": value
        for code in ("sante", "lien_social", "environnement")
        for field, value in (("value", "2"), ("justification", "Constaté sur place."))
    },
}
REALISATION = {"kind": "realisation", "as_of": "2024-06-30"}
# Learner B withdraws three weeks from now (learner A's withdrawal is in the world).
WITHDRAWAL = {
    "learner": ref("learner_b_membership"),
    "withdrawn_on": ref("in_three_weeks"),
    "reason": "Emploi trouvé",
}
PUBLICATION = {"path": ref("path_code"), "year": "2025", "indicators": "dropout"}
REALISATION_BATCH = {**REALISATION, "funder": "opco"}
# The token of learner A's calendar address in the world (only its hash is stored there).
CALENDAR_TOKEN = "CalendarTokenOfLearnerA_0123456789abcdefghi"
# The token of the link sent for learner A's project (tests/projects/links_support.py).
PROJECT_LINK_TOKEN = "ProjectLinkTokenOfLearnerA_0123456789abcdef"
# A funder's survey link (tests/quality/surveys/support.py) and the answers the forms get.
SURVEY_LINK_TOKEN = "SurveyLinkTokenOfAFunder_0123456789abcdef"
SURVEY_ANSWERS = {"q_objectifs": "3", "q_rythme": "Adapté", "q_avis": "Très bien.", "q_plus": ""}
SURVEY_CONTACT = {"name": "Odile Opco", "organisation": "OPCO Sud", "email": "odile@example.org"}
# The later ex post evaluation of the world's project, on its grid (sante, lien), and its set-up.
LINK_EVALUATION = {
    "evaluator_name": "Hélène Holder",
    **{
        f"{field}_{code}": value
        for code in ("sante", "lien_social", "environnement")
        for field, value in (("value", "3"), ("justification", "Les habitant·es en parlent."))
    },
}
LATER_EVALUATION = {
    "later_on": ref("in_three_weeks"),
    "name": "Paul Partner",
    "email": "paul.partner@example.org",
    "save": "y",
}

# fmt: off
ROUTES: dict[tuple[str, str], Rule] = {
    ("static", "GET"): public(filename="css/app.css"),
    # health probes (lms.core.health): JSON, no session needed
    ("health.healthz", "GET"): public(),
    ("health.readyz", "GET"): public(),
    # accounts
    ("accounts.login", "GET"): public(),
    ("accounts.login", "POST"): public(data={"email": "nobody@example.org", "password": "x"}),
    ("accounts.logout", "POST"): public(),
    ("accounts.forgot_password", "GET"): public(),
    ("accounts.forgot_password", "POST"): public(data={"email": "aurore.alpha@example.org"}),
    ("accounts.reset_password", "GET"): public(token="an-unknown-token"),
    # Without the link's token in the session, the reset page says the link is invalid.
    ("accounts.reset_password", "POST"): public(token="choose", data=NEW_PASSWORDS, status=400),
    ("accounts.change_password", "GET"): logged_in(),
    ("accounts.change_password", "POST"): logged_in(data=CHANGE_PASSWORD),
    ("accounts.my_sessions", "GET"): logged_in(),
    ("accounts.session_end", "POST"): logged_in(session_id="own_session"),
    ("accounts.sessions_end_others", "POST"): logged_in(),
    # Without a pending login, the second step sends logged-in people home, others to /login.
    ("accounts.login_two_factor", "GET"): public(),
    ("accounts.login_two_factor", "POST"): public(data={"code": WRONG_CODE}),
    ("accounts.two_factor", "GET"): logged_in(),
    ("accounts.two_factor", "POST"): logged_in(data={"code": WRONG_CODE}),
    ("accounts.two_factor_recovery_codes", "POST"): logged_in(data={"codes-code": WRONG_CODE}),
    ("accounts.two_factor_new_device", "POST"): logged_in(data={"device-code": WRONG_CODE}),
    ("accounts.two_factor_disable", "POST"): logged_in(data=DISABLE_TWO_FACTOR),
    ("accounts.set_language", "POST"): public(data={"locale": "en", "next": "/dashboard"}),
    # calendar feed (public: learner A's token, read by anyone who has it) and its settings page
    ("calendar.feed", "GET"): public(token="calendar_token"),
    ("calendar.settings", "GET"): logged_in(),
    ("calendar.issue", "POST"): logged_in(),
    ("calendar.revoke", "POST"): logged_in(),
    # the later ex post evaluation of a project: its set-up, and the link (public, by token)
    ("project_links.later_evaluation", "GET"): owner_or_followers(project_id="linked_project"),
    ("project_links.later_evaluation", "POST"): owner_or_followers(
        project_id="linked_project", data=LATER_EVALUATION
    ),
    ("project_link.evaluate", "GET"): public(token="project_link_token"),
    ("project_link.evaluate", "POST"): public(token="project_link_token", data=LINK_EVALUATION),
    # satisfaction surveys: the learner's, the funder's link (public, by token), the staff's
    ("surveys.mine", "GET"): logged_in(),
    ("surveys.answer", "GET"): learner(campaign_id="survey_campaign"),
    ("surveys.answer", "POST"): learner(campaign_id="survey_campaign", data=SURVEY_ANSWERS),
    ("survey_link.answer", "GET"): public(token="survey_link_token"),
    ("survey_link.answer", "POST"): public(token="survey_link_token", data=SURVEY_ANSWERS),
    ("surveys_manage.cohort_surveys", "GET"): followers(cohort_id="cohort"),
    ("surveys_manage.open_now", "POST"): followers(
        cohort_id="cohort", data={"target": ref("openable_survey")}
    ),
    ("surveys_manage.campaign", "GET"): followers(campaign_id="survey_campaign"),
    ("surveys_manage.export", "GET"): followers(campaign_id="survey_campaign"),
    ("surveys_manage.add_contact_page", "POST"): followers(
        campaign_id="funder_campaign", data=SURVEY_CONTACT
    ),
    ("surveys_manage.resend", "POST"): followers(participation_id="survey_contact"),
    ("reminders.preferences", "GET"): logged_in(),
    ("reminders.preferences", "POST"): logged_in(data={"deadlines": "y"}),
    # learning
    ("learning.home", "GET"): public(),
    ("learning.dashboard", "GET"): logged_in(),
    # Like the dashboard: people who are not learners see a friendly "not enrolled" page.
    ("learning.competencies", "GET"): logged_in(),
    ("learning.module", "GET"): learner(module_id="module"),
    ("learning.lesson", "GET"): learner(module_id="module", lesson_id="lesson"),
    ("learning.mark_lesson_done", "POST"): learner(module_id="module", lesson_id="lesson"),
    ("learning_manage.heatmap", "GET"): followers(cohort_id="cohort"),
    ("learning_manage.learner", "GET"): followers(cohort_id="cohort", user_id="learner_a"),
    ("learning_manage.progress_csv", "GET"): followers(cohort_id="cohort"),
    # gradebook: the cohort's trainer and administrators (unreleased grades included)
    ("gradebook.show", "GET"): staff(cohort_id="cohort"),
    ("gradebook.export", "GET"): staff(cohort_id="cohort"),
    # quizzes: learner A starting resumes their open attempt; attempts are each learner's own
    ("quizzes.show", "GET"): learner(assessment_id="quiz"),
    ("quizzes.start", "POST"): learner(assessment_id="quiz"),
    ("quizzes.take", "GET"): learner(assessment_id="quiz", attempt_id="own_open_attempt"),
    ("quizzes.save", "POST"): learner(assessment_id="quiz", attempt_id="own_open_attempt"),
    ("quizzes.submit", "POST"): learner(assessment_id="quiz", attempt_id="own_open_attempt"),
    ("quizzes.review", "GET"): learner(
        assessment_id="done_quiz", attempt_id="own_submitted_attempt"
    ),
    # assignments: learner A's file is theirs, their trainer's and the admin's to read
    ("assignments.show", "GET"): learner(assessment_id="assignment"),
    ("assignments.submit", "POST"): learner(
        assessment_id="assignment", data={"text": "Ma carte des acteurs."}
    ),
    ("assignments.download", "GET"): owner_or_staff(file_id="learner_a_file"),
    ("assignments.extensions", "GET"): staff(cohort_id="cohort", assessment_id="assignment"),
    ("assignments.extensions", "POST"): staff(
        cohort_id="cohort", assessment_id="assignment", data=EXTENSION
    ),
    # cohorts
    ("cohorts_manage.my_cohorts", "GET"): any_trainer(),
    ("cohorts_admin.cohort_list", "GET"): territory_admin(),
    ("cohorts_admin.cohort_new", "GET"): territory_admin(),
    ("cohorts_admin.cohort_new", "POST"): territory_admin(data=NEW_COHORT),
    ("cohorts_admin.cohort_edit", "GET"): cohort_admin(cohort_id="cohort"),
    ("cohorts_admin.cohort_edit", "POST"): cohort_admin(cohort_id="cohort", data=EDITED_COHORT),
    ("cohorts_admin.cohort_archive", "POST"): cohort_admin(cohort_id="cohort"),
    ("cohorts_admin.calendar", "GET"): cohort_admin(cohort_id="cohort"),
    ("cohorts_admin.calendar", "POST"): cohort_admin(cohort_id="cohort", data={"M1-opens_at": ""}),
    ("cohorts_admin.members", "GET"): cohort_admin(cohort_id="cohort"),
    ("cohorts_admin.members", "POST"): cohort_admin(cohort_id="cohort", data=NEW_MEMBER),
    ("cohorts_admin.member_remove", "POST"): cohort_admin(
        cohort_id="cohort", membership_id="learner_b_membership"
    ),
    ("cohorts_admin.member_funder", "POST"): cohort_admin(
        cohort_id="cohort", membership_id="learner_b_membership", data={"funder": "opco"}
    ),
    ("cohort_assessors.invite", "POST"): cohort_admin(cohort_id="cohort", data=NEW_ASSESSOR),
    ("cohort_assessors.change_access", "POST"): cohort_admin(
        cohort_id="cohort",
        membership_id="assessor_membership",
        data={"access-access_ends_on": ref("in_ninety_days")},
    ),
    ("cohort_assessors.remove", "POST"): cohort_admin(
        cohort_id="cohort", membership_id="assessor_membership"
    ),
    ("cohorts_admin.import_upload", "GET"): territory_admin(),
    ("cohorts_admin.import_upload", "POST"): territory_admin(),  # no file: the form says so
    ("cohorts_admin.import_commit", "POST"): territory_admin(),  # no upload key: back to the upload
    # sessions (lms.attendance.sessions): the cohort's staff plan them; learners read their own
    # projects (lms.projects): the learner's project, its page, its evaluations, the cohort's list
    ("projects.my_projects", "GET"): logged_in(),
    ("projects.declare", "GET"): learner(cohort_id="cohort"),
    ("projects.declare", "POST"): learner(cohort_id="cohort", data=NEW_PROJECT),
    ("projects.edit", "GET"): owner(project_id="project"),
    ("projects.edit", "POST"): owner(project_id="project", data=EDITED_PROJECT),
    ("projects.show", "GET"): project_reader(project_id="project"),
    ("project_evaluations.evaluate", "GET"): project_ex_post(
        project_id="project", moment="ex_post"
    ),
    ("project_evaluations.evaluate", "POST"): project_ex_post(
        project_id="project", moment="ex_post", data=PROJECT_VALUES
    ),
    ("projects_manage.cohort_projects_page", "GET"): followers(cohort_id="cohort"),
    # positioning (lms.quality.positioning): the learner's own; the cohort's for its followers
    ("positioning.my_positionings", "GET"): logged_in(),
    ("positioning.cohort", "GET"): learner(cohort_id="cohort"),
    ("positioning.cohort", "POST"): learner(
        cohort_id="cohort", data=PositioningFormData("self")
    ),
    ("positioning_manage.cohort_page", "GET"): followers(cohort_id="cohort"),
    ("positioning_manage.learner_page", "GET"): followers(cohort_id="cohort", user_id="learner_a"),
    ("positioning_manage.learner_page", "POST"): followers(
        cohort_id="cohort", user_id="learner_a", data=PositioningFormData("review")
    ),
    ("sessions_manage.sessions", "GET"): followers(cohort_id="cohort"),
    ("sessions_manage.session_new", "GET"): followers(cohort_id="cohort"),
    ("sessions_manage.session_new", "POST"): followers(cohort_id="cohort", data=NEW_SESSION),
    ("sessions_manage.session_edit", "GET"): followers(session_id="training_session"),
    ("sessions_manage.session_edit", "POST"): followers(
        session_id="training_session", data=NEW_SESSION
    ),
    ("sessions_manage.session_delete", "POST"): followers(session_id="training_session"),
    ("sessions_manage.import_upload", "GET"): followers(cohort_id="cohort"),
    ("sessions_manage.import_upload", "POST"): followers(cohort_id="cohort"),  # no file: said so
    ("sessions_manage.import_commit", "POST"): followers(cohort_id="cohort"),  # no key: back
    # Like the dashboard: people who learn in no cohort see an empty schedule that says so.
    ("schedule.my_schedule", "GET"): logged_in(),
    # grading: learner A's submission and grade belong to the cohort the trainer trains
    ("grading.queue", "GET"): any_staff(),
    ("grading.start_submission", "POST"): staff(submission_id="learner_a_submission"),
    ("grading.start_evaluation", "POST"): staff(
        assessment_id="evaluation", learner_id="learner_a"
    ),
    ("grading.grade", "GET"): staff(grade_id="grade"),
    ("grading.grade", "POST"): staff(grade_id="grade", data=GRADE_SAVE),
    ("grading.release_cohort", "POST"): staff(cohort_id="cohort", assessment_id="assignment"),
    ("grading.evaluation", "GET"): learner(assessment_id="evaluation"),
    # double marking (lms.assessments.marking): a marker's own markings; staff allocation
    ("marking.queue", "GET"): logged_in(),
    ("marking.marking", "GET"): trainer(marking_id="marking"),
    ("marking.marking", "POST"): trainer(marking_id="marking", data=MARKING_SAVE),
    ("marking.allocations", "GET"): staff(cohort_id="cohort", assessment_id="marked_evaluation"),
    ("marking.allocate", "POST"): staff(
        cohort_id="cohort", assessment_id="marked_evaluation", learner_id="learner_b",
        status=409,
    ),
    ("marking.allocate_all", "POST"): staff(
        cohort_id="cohort", assessment_id="marked_evaluation", status=409
    ),
    ("marking.reallocate", "POST"): staff(
        marking_id="spare_marking", data={"marker": ref("trainer"), "version": "1"}
    ),
    # public verification of certificates (by code, or by dropping the PDF)
    ("certificates.verify", "GET"): public(code="certificate_code"),
    ("certificates.verify_json", "GET"): public(code="certificate_code"),
    ("certificates.check_pdf", "GET"): public(),
    ("certificates.check_pdf", "POST"): public(),  # no file: the form says so
    # Open Badges credentials: a certificate's (by its code), the issuer's profile and keys
    ("credentials.credential", "GET"): public(code="certificate_code", status=200),
    ("credentials.issuer", "GET"): public(status=200),
    ("credentials.verification_method", "GET"): public(kid="credential_kid", status=200),
    ("credentials.status_list", "GET"): public(list_id="status_list"),
    # batch issuance of certificates (the world's cohort has nobody awarded: refused, back)
    ("certificate_batches.start", "POST"): admin(cohort_id="cohort"),
    ("certificate_batches.progress", "GET"): admin(batch_id="batch"),
    # certification: the cohort's staff read the eligibility (trainers only read); administrators
    # decide, issue and manage certificates; learner A's certificate has a stored PDF
    ("certificates_admin.eligibility", "GET"): followers(cohort_id="cohort"),
    ("certificates_admin.eligibility_csv", "GET"): followers(cohort_id="cohort"),
    ("certificates_admin.learner", "GET"): followers(cohort_id="cohort", user_id="learner_a"),
    ("certificates_admin.decide", "POST"): admin(
        cohort_id="cohort", user_id="learner_a", data=DECISION
    ),
    # Nobody is awarded in the world: issuing is refused with a message, back to the page.
    ("certificates_admin.issue", "POST"): admin(
        cohort_id="cohort", user_id="learner_a", data={"scope": "path"}
    ),
    ("certificates_admin.certificate_list", "GET"): admin(),
    ("certificates_admin.certificate_detail", "GET"): admin(certificate_id="certificate"),
    ("certificates_admin.revoke", "POST"): admin(certificate_id="certificate", data=REVOCATION),
    # No reason: the page asks for one (a real re-issue renders a PDF: tests/certificates).
    ("certificates_admin.reissue", "POST"): admin(certificate_id="certificate"),
    ("certificates_admin.download", "GET"): admin(certificate_id="certificate"),
    # juries: administrators compose, open and reopen (the world's jury is open: composing it
    # is refused, 409 or back to its page); its members, and only they, read and vote
    ("jury_admin.juries", "GET"): admin(cohort_id="cohort"),
    ("jury_admin.jury_new", "POST"): admin(cohort_id="cohort", data=NEW_JURY),
    ("jury_admin.jury_detail", "GET"): admin(jury_id="jury"),
    ("jury_admin.jury_edit", "POST"): admin(jury_id="jury", data=NEW_JURY),
    ("jury_admin.member_add", "POST"): admin(jury_id="jury", data=NEW_SEAT, status=409),
    ("jury_admin.member_remove", "POST"): admin(jury_id="jury", member_id="jury_seat"),
    ("jury_admin.jury_open", "POST"): admin(jury_id="jury"),
    ("jury_admin.jury_reopen", "POST"): admin(
        jury_id="jury", data={"reason": "Erreur"}, status=409
    ),
    ("jury_admin.minutes", "GET"): admin(jury_id="jury", minutes_id="jury_minutes"),
    ("jury.my_juries", "GET"): jury_member(),
    ("jury.jury_page", "GET"): jury_member(jury_id="jury"),
    ("jury.candidate", "GET"): jury_member(jury_id="jury", user_id="learner_a"),
    ("jury.vote", "POST"): jury_member(
        jury_id="jury", user_id="learner_a", data={"proposal": "defer"}
    ),
    ("jury.candidate_file", "GET"): jury_member(
        jury_id="jury", user_id="learner_a", file_id="learner_a_file"
    ),
    ("jury.tally_page", "GET"): jury_member(jury_id="jury"),
    # Nobody else voted: the jury cannot close, the president is sent back to the tally.
    ("jury.close", "POST"): jury_member(jury_id="jury"),
    ("jury.minutes", "GET"): jury_member(jury_id="jury", minutes_id="jury_minutes"),
    # attendance sheets: the staff of the cohort mark and close, administrators correct a closed
    # sheet, the cohort's learners sign (a wrong code is answered 422, nothing recorded).
    ("attendance_sheets.cohort_sheets", "GET"): followers(cohort_id="cohort"),
    ("attendance_sheets.sheet", "GET"): followers(session_id="training_session"),
    ("attendance_sheets.code_json", "GET"): followers(session_id="training_session"),
    ("attendance_sheets.mark", "POST"): followers(
        session_id="training_session", user_id="learner_a", data={"status": "present"}
    ),
    ("attendance_sheets.close", "GET"): followers(session_id="training_session"),
    ("attendance_sheets.close", "POST"): followers(session_id="training_session"),
    # Learner B: learner A's excused record on the closed sheet keeps its supporting file.
    ("attendance_sheets.correct", "POST"): cohort_admin(
        session_id="closed_session",
        user_id="learner_b",
        data={"status": "absent", "correction_reason": "Erreur de saisie"},
    ),
    ("attendance_sheets.document", "GET"): followers(
        session_id="closed_session", document_id="sheet_document"
    ),
    # An excused absence's supporting file: learner A's, for learner A and the cohort's staff.
    ("attendance_sheets.supporting_file", "GET"): owner_or_followers(record_id="excused_record"),
    ("attendance_sheets.sign", "GET"): learner(sheet_id="sheet"),
    ("attendance_sheets.sign", "POST"): learner(
        sheet_id="sheet", data={"code": "000000"}, status=422
    ),
    ("my_certificates.my_certificates", "GET"): logged_in(),
    ("my_certificates.download", "GET"): owner_or_admin(certificate_id="certificate"),
    ("my_certificates.badge", "GET"): owner_or_admin(certificate_id="certificate", status=200),
    # certificats de réalisation and attestations: administrators produce (the world sets no
    # training organisation: producing is refused, 409, beside the form); learner A's stored
    # document is downloaded by learner A and administrators
    ("realisation_admin.cohort", "GET"): admin(cohort_id="cohort"),
    ("realisation_admin.start_batch", "POST"): admin(
        cohort_id="cohort", data=REALISATION_BATCH, status=409
    ),
    ("realisation_admin.learner", "GET"): admin(cohort_id="cohort", user_id="learner_a"),
    ("realisation_admin.produce", "POST"): admin(
        cohort_id="cohort", user_id="learner_a", data=REALISATION, status=409
    ),
    ("realisation_admin.download", "GET"): admin(record_id="realisation_record"),
    ("my_realisation.my_download", "GET"): owner_or_admin(record_id="realisation_record"),
    # Learners' dossiers (lms.quality.dossiers): the cohort's administrators, and the learner.
    ("dossiers_admin.cohort", "GET"): cohort_admin(cohort_id="cohort"),
    ("dossiers_admin.build_cohort", "POST"): cohort_admin(cohort_id="cohort"),
    ("dossiers_admin.build_learner", "POST"): cohort_admin(cohort_id="cohort", user_id="learner_a"),
    ("dossiers_admin.download", "GET"): cohort_admin(dossier_id="dossier"),
    ("my_dossiers.my_dossier", "GET"): logged_in(),
    ("my_dossiers.build", "POST"): learner(cohort_id="cohort"),
    ("my_dossiers.download", "GET"): owner(dossier_id="dossier"),
    # Territory dashboard: every territory (central administrators), one territory, their CSVs
    ("territory_dashboard.overall", "GET"): admin(),
    ("territory_dashboard.overall_csv", "GET"): admin(),
    ("territory_dashboard.show", "GET"): cohort_admin(territory_id="territory"),
    ("territory_dashboard.show_csv", "GET"): cohort_admin(territory_id="territory"),
    # Quality indicators: the staff page and CSV (each scoped to the person's territories), the
    # publication (central), the public results (no login), a cohort's withdrawals
    ("quality_indicators.page", "GET"): territory_admin(),
    ("quality_indicators.export", "GET"): territory_admin(),
    ("quality_indicators.publication", "GET"): admin(),
    ("quality_indicators.publication", "POST"): admin(data=PUBLICATION),
    ("public_results.page", "GET"): public(),
    ("public_results.export", "GET"): public(),
    ("public_results.export_json", "GET"): public(),
    ("withdrawals.page", "GET"): cohort_admin(cohort_id="cohort"),
    ("withdrawals.page", "POST"): cohort_admin(cohort_id="cohort", data=WITHDRAWAL),
    ("withdrawals.cancel", "POST"): cohort_admin(cohort_id="cohort", withdrawal_id="withdrawal"),
    # admin
    ("admin.overview", "GET"): admin(),
    ("admin.users", "GET"): admin(),
    ("admin.user_new", "GET"): admin(),
    ("admin.user_new", "POST"): admin(data=NEW_USER),
    ("admin.user_edit", "GET"): admin(user_id="learner_b"),
    ("admin.user_edit", "POST"): admin(user_id="outsider", data=EDITED_USER),
    ("admin.user_deactivate", "POST"): admin(user_id="outsider"),
    ("admin.user_reactivate", "POST"): admin(user_id="outsider"),
    ("admin.user_send_reset", "POST"): admin(user_id="outsider"),
    ("admin.user_end_sessions", "POST"): admin(user_id="learner_b"),
    ("admin.user_grant_admin", "POST"): admin(user_id="outsider"),
    ("admin.user_revoke_admin", "POST"): admin(user_id="outsider"),
    ("admin.audit", "GET"): admin(),
    ("admin.audit_csv", "GET"): admin(),
    # Retention: the periods and what the purge would change (central administrators, read-only)
    ("retention_admin.overview", "GET"): admin(),
    # Territories and the organisation
    ("territories_admin.organisation", "GET"): admin(),
    ("territories_admin.territory_list", "GET"): admin(),
    ("territories_admin.territory_new", "GET"): admin(),
    ("territories_admin.territory_new", "POST"): admin(data=NEW_TERRITORY),
    ("territories_admin.territory_edit", "GET"): admin(territory_id="territory"),
    ("territories_admin.territory_edit", "POST"): admin(
        territory_id="territory", data=EDITED_TERRITORY
    ),
    # Refused with a message (its cohort is on it): back to the territory's page.
    ("territories_admin.territory_delete", "POST"): admin(territory_id="territory"),
    ("territories_admin.administrator_add", "POST"): admin(
        territory_id="territory", data=NEW_LOCAL_ADMIN
    ),
    ("territories_admin.administrator_remove", "POST"): admin(
        territory_id="other_territory", administrator_id="named_local_admin"
    ),
    ("territories_admin.my_territories", "GET"): territory_admin(),
}
# fmt: on


def _in_days(days: int) -> str:
    """Return the ISO date ``days`` after today in the organisation's timezone."""
    from datetime import timedelta

    from lms.core.time import local_today

    return (local_today() + timedelta(days=days)).isoformat()


def _learner(persona: str) -> str:
    """Return the learner whose objects ``persona`` uses: itself, or learner A for others."""
    return persona if persona in ("learner_a", "learner_b") else "learner_a"


def _other(persona: str) -> str:
    """Return the other learner of the cohort."""
    return "learner_b" if persona == "learner_a" else "learner_a"


# Objects that depend on the persona making the request: name -> (world, persona) -> object.
RESOLVERS: dict[str, Callable[[Any, str], Any]] = {
    "learner_b_membership": lambda world, persona: next(
        m for m in world.get("cohort").memberships if m.user_id == world.get("learner_b").id
    ),
    "assessor_membership": lambda world, persona: next(
        m for m in world.get("cohort").memberships if m.user_id == world.get("assessor").id
    ),
    # A last day of access the assessor forms accept whatever the day the tests run.
    "in_ninety_days": lambda world, persona: _in_days(90),
    "in_three_weeks": lambda world, persona: _in_days(21),
    # The world's path, by its code (the publication form names paths by code).
    "path_code": lambda world, persona: world.get("path").code,
    # The territory a new cohort is created on: the persona's own (central: the world's first).
    "own_territory": lambda world, persona: world.get(
        "other_territory" if persona == "other_local_admin" else "territory"
    ),
    # A membership of the other cohort: for the IDOR sweep of the members' routes.
    "other_learner_membership": lambda world, persona: next(
        m
        for m in world.get("other_cohort").memberships
        if m.user_id == world.get("other_learner").id
    ),
    "own_session": lambda world, persona: world.live_session(persona),
    # A learner's own quiz attempts (learner A's for everyone else), and the other learner's.
    "own_open_attempt": lambda world, persona: world.get(f"{_learner(persona)}_open_attempt"),
    "other_open_attempt": lambda world, persona: world.get(f"{_other(persona)}_open_attempt"),
    "own_submitted_attempt": lambda world, persona: world.get(
        f"{_learner(persona)}_submitted_attempt"
    ),
    "other_submitted_attempt": lambda world, persona: world.get(
        f"{_other(persona)}_submitted_attempt"
    ),
    # Learner A's calendar token (tests/security/world.py): a secret, not an id.
    "calendar_token": lambda world, persona: CALENDAR_TOKEN,
    # The world's funder survey link (a secret, not an id).
    "survey_link_token": lambda world, persona: SURVEY_LINK_TOKEN,
    # The world's later ex post evaluation link (a secret, not an id).
    "project_link_token": lambda world, persona: PROJECT_LINK_TOKEN,
    # A verification code (not an id): public routes name certificates by their code.
    "certificate_code": lambda world, persona: world.get("certificate").code,
    # A key id (not a database id): the issuer's keys are named by it.
    "credential_kid": lambda world, persona: world.get("credential_key").kid,
    "other_session": lambda world, persona: world.live_session(
        "learner_b" if persona == "learner_a" else "learner_a"
    ),
}

# For the IDOR sweep: name in a URL -> an object of the same kind out of the persona's reach.
# Administrators may reach any object, except those named ``own_...``.
FOREIGN: dict[str, str] = {
    "cohort": "other_cohort",
    "learner_a": "other_learner",
    "learner_b": "other_learner",
    "module": "other_module",
    "lesson": "other_lesson",
    "own_session": "other_session",
    "quiz": "other_quiz",
    "done_quiz": "other_quiz",
    "own_open_attempt": "other_open_attempt",
    "own_submitted_attempt": "other_submitted_attempt",
    "assignment": "other_assignment",
    "learner_a_file": "other_learner_file",
    "evaluation": "other_evaluation",
    "learner_a_submission": "other_learner_submission",
    "grade": "other_grade",
    "certificate": "other_certificate",
    "realisation_record": "other_realisation_record",
    "dossier": "other_dossier",
    "jury": "other_jury",
    "jury_minutes": "other_jury_minutes",
    "jury_seat": "other_jury_seat",
    "training_session": "other_training_session",
    "closed_session": "other_closed_session",
    "sheet": "other_sheet",
    "sheet_document": "other_sheet_document",
    "excused_record": "other_excused_record",
    "linked_project": "other_linked_project",
    "survey_campaign": "other_survey_campaign",
    "funder_campaign": "other_funder_campaign",
    "survey_contact": "other_survey_contact",
    "project": "other_project",
    "territory": "other_territory",
    "learner_b_membership": "other_learner_membership",
    "assessor_membership": "other_learner_membership",
    "withdrawal": "other_withdrawal",
}

# Objects of ``cohort``'s territory: the cohort and what lies below it. The local administrator
# of the other territory gets 404 on every route naming one (but central-only routes: 403).
TERRITORY_OBJECTS = frozenset(
    {
        "cohort",
        "learner_b_membership",
        "assessor_membership",
        "training_session",
        "closed_session",
        "sheet",
        "sheet_document",
        "excused_record",
        "spare_marking",  # a marking of the cohort, reallocated through the cohort's rule
        "territory",  # its dashboard
        "project",  # learner A's project, on the cohort's territory
        "linked_project",
        "withdrawal",  # learner A's withdrawal from the cohort
        "dossier",  # learner A's dossier in the cohort
        "survey_campaign",  # the cohort's surveys, and a funder's contact
        "funder_campaign",
        "survey_contact",
    }
)
# Central-only routes: 403 to every non-central person, before any object is looked up.
CENTRAL_ONLY = frozenset({Access.ADMIN})


def names_territory_object(rule: Rule) -> bool:
    """Tell whether the rule's URL names an object of ``cohort``'s territory."""
    return any(value in TERRITORY_OBJECTS for value in rule.url_args.values())


def denied_status(rule: Rule, persona: str) -> int:
    """Return the status an authenticated persona denied by ``rule`` gets: 403, or 404 for the
    other territory's local administrator on a territory-scoped route (SECURITY.md J39)."""
    if (
        persona == "other_local_admin"
        and rule.access not in CENTRAL_ONLY
        and names_territory_object(rule)
    ):
        return 404
    return 403
