"""The audit log: every admin or moderator action leaves one entry."""
from __future__ import annotations

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, object] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Add an entry to the current transaction; the caller commits with its own change."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
        ip_address=ip_address,
    )
    db.session.add(entry)
    return entry


def entries_query(action: str | None = None) -> Select[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return query


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
