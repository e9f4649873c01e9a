"""Assessments: quizzes, assignments and evaluations, rubrics, submissions and grades.

This domain sits above ``learning`` (DESIGN.md §3): it may import core, accounts, curriculum,
cohorts and learning, never certificates or admin. It plugs into the path-definition loader
through the curriculum signals (``lms.assessments.loading``).
"""
