"""Assessments: quizzes, assignments and evaluations, rubrics, submissions and grades.

This domain sits above ``learning`` (DESIGN.md §3): it may import core, accounts, curriculum,
cohorts and learning, never certificates or admin. It plugs into the path-definition loader
through the curriculum signals (``lms.assessments.loading``).
"""

# Register the assessments' part of the path-definition file with the curriculum loader, as soon
# as the domain is imported (create_app imports its models), like a blinker receiver connecting.
from lms.assessments import loading as _loading  # noqa: F401

# Answer the learning domain's signals (module completion, competency ratings) in the same way.
from lms.assessments.results import services as _results  # noqa: F401
