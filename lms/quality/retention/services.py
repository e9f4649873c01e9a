"""The purge: plan what is past its period, apply the plan, then delete the stored files.

``plan_purge`` runs every rule (``lms.quality.retention.rules``) for one day and returns the
actions; ``lms purge --dry-run`` prints them and ``lms purge`` prints and applies the same list,
in one transaction: ``apply_purge`` updates and deletes the rows (with the ORM's bookkeeping
left alone: no ``updated_at`` or optimistic-lock version moves, so the rows changed are exactly
those listed), writes one audit event per rule (what and how many, never a value erased) and
flushes; the caller commits, then ``delete_files`` removes the files, so that a failed
transaction never loses a file its row still names. A second run finds nothing left to do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import Table

from lms.accounts.models import AuditEvent
from lms.core import storage
from lms.extensions import db
from lms.quality.retention.actions import Action, StoredFileRef
from lms.quality.retention.periods import Horizon, horizon
from lms.quality.retention.rules import RULES, Rule

AUDIT_ACTION = "retention.purge"


class RetentionError(Exception):
    """The purge cannot run as asked; the message says why."""


@dataclass
class Plan:
    """The actions due on one day, rule by rule."""

    horizon: Horizon
    actions: list[Action] = field(default_factory=list)

    def by_rule(self) -> dict[str, list[Action]]:
        """Return the actions grouped by rule, in the rules' order (rules with none left out)."""
        groups: dict[str, list[Action]] = {rule.name: [] for rule in RULES}
        for action in self.actions:
            groups[action.rule].append(action)
        return {name: actions for name, actions in groups.items() if actions}

    @property
    def files(self) -> list[StoredFileRef]:
        return [file for action in self.actions for file in action.files]


def plan_purge(as_of: date, *, today: date, dry_run: bool) -> Plan:
    """Return what the purge does on ``as_of``; a real run may not look past ``today``."""
    if as_of > today and not dry_run:
        raise RetentionError(
            f"--as-of {as_of.isoformat()} is after today ({today.isoformat()}): "
            "only a dry run may look ahead"
        )
    seen = horizon(as_of)
    plan = Plan(seen)
    for rule in RULES:
        plan.actions.extend(rule.find(seen))
    return plan


def apply_purge(plan: Plan) -> None:
    """Apply the plan's row changes and audit them, flushing (the caller commits)."""
    tables = db.metadata.tables
    for action in plan.actions:
        _apply(tables[action.table], action)
    for name, actions in plan.by_rule().items():
        db.session.add(_audit_event(_rule(name), actions, plan.horizon))
    db.session.flush()
    db.session.expire_all()


def _apply(table: Table, action: Action) -> None:
    where = table.c.id == action.row_id
    if action.delete:
        db.session.execute(table.delete().where(where))
        return
    values = {column: db.null() if value is None else value for column, value in action.values}
    # Leave ``onupdate`` columns (updated_at) as they are: the purge is not an edit.
    for column in table.c:
        if column.onupdate is not None and column.name not in values:
            values[column.name] = column
    db.session.execute(table.update().where(where).values(values))


def _rule(name: str) -> Rule:
    return next(rule for rule in RULES if rule.name == name)


def _audit_event(rule: Rule, actions: list[Action], seen: Horizon) -> AuditEvent:
    """Say what a rule did and how much: rows per table, columns, files (never a value)."""
    updated = Counter(action.table for action in actions if not action.delete)
    deleted = Counter(action.table for action in actions if action.delete)
    columns = sorted({f"{a.table}.{column}" for a in actions for column in a.columns})
    return AuditEvent(
        actor=None,
        action=AUDIT_ACTION,
        object_type="RetentionRule",
        object_id=rule.name,
        after={
            "as_of": seen.as_of.isoformat(),
            "period": rule.period,
            "rows_changed": dict(sorted(updated.items())),
            "rows_deleted": dict(sorted(deleted.items())),
            "columns": columns,
            "files_deleted": sum(len(action.files) for action in actions),
        },
    )


def delete_files(files: list[StoredFileRef]) -> list[StoredFileRef]:
    """Delete the plan's stored files (after the commit); return those already gone."""
    instance = Path(current_app.instance_path)
    missing = []
    for file in files:
        if not storage.delete_stored(instance / file.folder, file.key):
            missing.append(file)
    return missing
