"""A project grid, projects and evaluations for the projects tests and the security world."""

from __future__ import annotations

from lms.extensions import db
from lms.projects.evaluations import record_evaluation
from lms.projects.grid import grid_of
from lms.projects.models import (
    EvaluationMoment,
    ProjectDimension,
    ProjectDomain,
    ProjectGrid,
    ProjectGridLevel,
    ProjectGridUse,
)
from tests.factories import ProjectFactory

LEVELS = ("Aucune contribution", "Faible", "Modérée", "Forte", "Transformatrice")
DIMENSIONS = (
    ("sante", "Santé et bien-être", "Le projet améliore-t-il la santé ?"),
    ("lien_social", "Lien social et solidarités", "Le projet crée-t-il des relations ?"),
    ("environnement", "Environnement et ressources", "Le projet ménage-t-il les ressources ?"),
)
DOMAINS = (("alimentation", "Alimentation"), ("sante", "Santé"), ("mobilite", "Mobilité"))
USES = (("M1-E1", "Cadrage du projet", EvaluationMoment.EX_ANTE), ("M2-A1", "Bilan", None))


def declare_grid(path):
    """Give ``path`` a common project grid (scale 0–4, three dimensions); return it."""
    db.session.add(ProjectGrid(path_id=path.id, later_ex_post_months=6))
    for value, label in enumerate(LEVELS):
        db.session.add(ProjectGridLevel(path_id=path.id, value=value, label=label))
    for position, (code, title, question) in enumerate(DIMENSIONS, start=1):
        db.session.add(
            ProjectDimension(
                path_id=path.id,
                code=code,
                title=title,
                question=question,
                indicators=[f"Indicateur de {title}"],
                position=position,
            )
        )
    for position, (code, title) in enumerate(DOMAINS, start=1):
        db.session.add(ProjectDomain(path_id=path.id, code=code, title=title, position=position))
    for position, (code, title, moment) in enumerate(USES, start=1):
        db.session.add(
            ProjectGridUse(
                path_id=path.id,
                assessment_code=code,
                assessment_title=title,
                moment=moment,
                position=position,
            )
        )
    db.session.commit()
    return grid_of(path.id)


def values(*numbers: int, why: str = "Constaté sur place.") -> dict[str, tuple[int, str]]:
    """Return typed values for the grid's dimensions, in order."""
    return {
        code: (number, f"{why} ({code})")
        for (code, _title, _question), number in zip(DIMENSIONS, numbers, strict=True)
    }


def evaluation_form(*numbers: int, why: str = "Constaté sur place.", **extra) -> dict[str, str]:
    """Return the evaluation form's fields for these values."""
    data = {}
    for (code, _title, _question), number in zip(DIMENSIONS, numbers, strict=True):
        data[f"value_{code}"] = str(number)
        data[f"justification_{code}"] = f"{why} ({code})"
    return {**data, **{key: str(value) for key, value in extra.items()}}


def evaluate(project, grid, moment, *numbers, user):
    """Record an evaluation of the project and commit it."""
    evaluation = record_evaluation(project, grid, moment, values(*numbers), user=user)
    db.session.commit()
    return evaluation


def security_world_projects(bien_vivre, other, users) -> dict:
    """Both paths of the security world get a grid; learner A's project in ``cohort`` (evaluated
    ex ante by the trainer) and the other learner's in ``other_cohort``."""
    grid = declare_grid(bien_vivre.cohort.path)
    declare_grid(other.cohort.path)
    project = ProjectFactory(cohort=bien_vivre.cohort, learner=users["learner_a"])
    foreign = ProjectFactory(cohort=other.cohort, learner=users["other_learner"])
    db.session.commit()
    evaluate(project, grid, EvaluationMoment.EX_ANTE, 1, 2, 1, user=users["trainer"])
    return {"project": project, "other_project": foreign, "project_domain": grid.domains[0]}


class ProjectWorld:
    """A cohort whose path has a grid, its people by role, and learner A's project."""

    def __init__(self) -> None:
        from datetime import date, timedelta

        from lms.certificates.jury.models import Jury, JuryMember
        from lms.core.time import local_today
        from tests.factories import (
            CohortFactory,
            MembershipFactory,
            TerritoryAdministratorFactory,
            TerritoryFactory,
            UserFactory,
        )
        from tests.learning.helpers import make_bien_vivre_path

        built = make_bien_vivre_path(codes=("M1", "M2"), opened=("M1",))
        self.modules = built.modules
        self.cohort = built.cohort
        self.grid = declare_grid(self.cohort.path)
        self.other_cohort = CohortFactory(path=self.cohort.path)
        self.elsewhere = TerritoryFactory(name="Vallée de la Bruche")
        person = UserFactory
        self.learner = person(display_name="Aurore Apprenante")
        self.learner_b = person(display_name="Basile Apprenant")
        self.trainer = person(display_name="Tina Formatrice")
        self.other_trainer = person(display_name="Oscar Formateur")
        self.admin = person(admin=True)
        self.local_admin = person(display_name="Louise Locale")
        self.far_admin = person(display_name="Fabien Lointain")
        self.project_admin = person(display_name="Pia Territoire")
        self.juror = person(display_name="Jules Juré")
        self.former_juror = person(display_name="Ernest Ancien")
        self.outsider = person()
        MembershipFactory(user=self.learner, cohort=self.cohort)
        MembershipFactory(user=self.learner_b, cohort=self.cohort)
        MembershipFactory(user=self.trainer, cohort=self.cohort, trainer=True)
        MembershipFactory(user=self.other_trainer, cohort=self.other_cohort, trainer=True)
        TerritoryAdministratorFactory(user=self.local_admin, territory=self.cohort.territory)
        TerritoryAdministratorFactory(user=self.far_admin, territory=self.other_cohort.territory)
        TerritoryAdministratorFactory(user=self.project_admin, territory=self.elsewhere)
        jury = Jury(cohort=self.cohort, held_on=date(2030, 6, 1), place="Lyon")
        db.session.add(jury)
        for user, days in ((self.juror, 30), (self.former_juror, -1)):
            db.session.add(
                JuryMember(
                    jury=jury,
                    user=user,
                    seat="professionnel",
                    is_external=True,
                    access_ends_on=local_today() + timedelta(days=days),
                )
            )
        self.project = ProjectFactory(
            cohort=self.cohort, learner=self.learner, territory=self.elsewhere
        )
        self.project.domains = [self.grid.domains[0], self.grid.domains[2]]
        db.session.commit()


def live_world_projects(cohort, learner, trainer) -> dict[str, int]:
    """For the browser tests: ``learner``'s project in ``cohort``, evaluated ex ante by the
    learner and ex post by ``trainer``; return its id and the cohort's."""
    grid = grid_of(cohort.path_id)
    assert grid is not None, "the shipped path declares a project grid"
    project = ProjectFactory(cohort=cohort, learner=learner, title="Cantine solidaire")
    project.domains = list(grid.domains[:2])
    db.session.flush()
    for moment, numbers, user in (
        (EvaluationMoment.EX_ANTE, (1, 2, 0, 1, 1, 2), learner),
        (EvaluationMoment.EX_POST, (3, 4, 1, 2, 3, 2), trainer),
    ):
        typed = {
            dimension.code: (number, f"Observé : {dimension.title}.")
            for dimension, number in zip(grid.dimensions, numbers, strict=False)
        }
        record_evaluation(project, grid, moment, typed, user=user)
    return {"project": project.id, "cohort": cohort.id}
