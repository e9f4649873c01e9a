"""Cohorts, their module calendar and their memberships (learners and trainers)."""
