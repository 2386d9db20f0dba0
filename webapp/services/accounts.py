"""Members and roles."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from webapp.chain import siws
from webapp.extensions import db
from webapp.models import Role, User
from webapp.services import audit


class RoleChangeError(ValueError):
    """A role change that is not allowed; the message says why."""


def users_query(search: str | None = None, role: str | None = None) -> Select[User]:
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(User.wallet.ilike(pattern), User.display_name.ilike(pattern)))
    if role:
        query = query.where(User.role == role)
    return query


def change_role(actor: User | None, user: User, role: str, *, ip_address: str | None = None) -> User:
    """Give a member a new role and audit it, in one transaction."""
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise RoleChangeError(f"Unknown role {role!r}.") from exc
    if actor is not None and actor.id == user.id:
        raise RoleChangeError("You cannot change your own role; ask another admin.")
    previous = user.role
    if previous == new_role.value:
        raise RoleChangeError(f"{user.name} is already {new_role.value}.")
    user.role = new_role.value
    audit.record(
        actor,
        "user.role_changed",
        target_type="user",
        target_id=user.id,
        details={"wallet": user.wallet, "from": previous, "to": new_role.value},
        ip_address=ip_address,
    )
    db.session.commit()
    return user


def grant_role_to_wallet(wallet: str, role: str) -> User:
    """Used by `flask users grant`: the wallet need not have signed in yet."""
    address = str(siws.parse_wallet(wallet))
    user = db.session.scalar(select(User).where(User.wallet == address))
    if user is None:
        user = User(wallet=address, role=Role.MEMBER.value)
        db.session.add(user)
        db.session.flush()
    if user.role == role:
        db.session.commit()
        return user
    return change_role(None, user, role, ip_address="cli")
