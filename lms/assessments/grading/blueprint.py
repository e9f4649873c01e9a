"""The ``grading`` blueprint: the trainers' grading pages and the learner's evaluation page.

``manage`` (queue, grading page, releases) and ``views`` (the learner's evaluation page) both
add their routes to ``bp``; ``lms.assessments.init_app`` imports them, then registers it.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("grading", __name__)
