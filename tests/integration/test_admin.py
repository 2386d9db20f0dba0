"""Roles, the admin pages and the audit log."""
from __future__ import annotations

import pytest
from solders.keypair import Keypair
from sqlalchemy import func, select

from tests.conftest import get_row
from webapp.extensions import db
from webapp.models import AuditEntry, User

ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/audit"]
ADMIN_POSTS = ["/admin/users/1/role"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_refused(client, path) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"HX-Request": "true"}).status_code == 401


@pytest.mark.parametrize("role", ["member", "moderator"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admins_are_refused(client, auth, make_user, role, path) -> None:
    auth.sign_in(make_user(role))
    reply = client.get(path)
    assert reply.status_code == 403
    assert "for admins only" in reply.get_data(as_text=True)


@pytest.mark.parametrize("role", [None, "member", "moderator"])
def test_non_admins_cannot_change_roles(app, client, auth, make_user, role) -> None:
    target = make_user("member")
    if role:
        auth.sign_in(make_user(role))
    token = auth.csrf_token()
    reply = client.post("/admin/users/1/role", data={"role": "admin", "csrf_token": token})
    assert reply.status_code in (401, 403)
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.wallet == str(target.pubkey()))) == "member"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_admin_changes_a_role_and_it_is_audited(app, client, auth, make_user) -> None:
    admin = auth.sign_in(make_user("admin"))
    member = make_user("member")
    with app.app_context():
        member_id = db.session.scalar(select(User.id).where(User.wallet == str(member.pubkey())))
    reply = client.post(
        f"/admin/users/{member_id}/role",
        data={"role": "moderator"},
        headers={"HX-Request": "true", "X-CSRFToken": auth.csrf_token()},
    )
    assert reply.status_code == 200
    assert f'id="user-{member_id}"' in reply.get_data(as_text=True)
    with app.app_context():
        assert get_row(User, member_id).role == "moderator"
        entry = db.session.scalar(select(AuditEntry))
        assert entry is not None, "the role change was not audited"
        assert entry.action == "user.role_changed"
        assert entry.details == {"wallet": str(member.pubkey()), "from": "member", "to": "moderator"}
        assert entry.actor.wallet == str(admin.pubkey())
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "user.role_changed" in audit_page and "moderator" in audit_page


def test_role_change_without_htmx_redirects_back(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    make_user("member")
    reply = client.post("/admin/users/2/role", data={"role": "admin", "csrf_token": auth.csrf_token()})
    assert reply.status_code == 302 and "/admin/users" in reply.headers["Location"]


@pytest.mark.parametrize(
    "role, status, message", [("owner", 422, "Not a valid choice"), ("member", 422, "already member")]
)
def test_bad_role_changes_are_refused(app, client, auth, make_user, role, status, message) -> None:
    auth.sign_in(make_user("admin"))
    make_user("member")
    reply = client.post("/admin/users/2/role", data={"role": role},
                        headers={"X-CSRFToken": auth.csrf_token(), "HX-Request": "true"})
    assert reply.status_code == status
    assert message in reply.get_data(as_text=True)
    assert reply.headers["HX-Retarget"] == "#alerts"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_admin_cannot_demote_themselves(app, client, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/users/1/role", data={"role": "member"}, headers={"X-CSRFToken": auth.csrf_token()})
    assert reply.status_code == 422
    with app.app_context():
        assert get_row(User, 1).role == "admin"


def test_unknown_member_is_404(client, auth, make_user) -> None:
    auth.sign_in(make_user("admin"))
    reply = client.post("/admin/users/999/role", data={"role": "admin"}, headers={"X-CSRFToken": auth.csrf_token()})
    assert reply.status_code == 404


def test_users_page_searches_and_paginates(app, client, auth, make_user) -> None:
    admin = auth.sign_in(make_user("admin"))
    wallets = [str(make_user("member").pubkey()) for _ in range(30)]
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first and "31 in all" in first
    second = client.get("/admin/users?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.lstrip().startswith('<section id="users-table"') and "<html" not in second
    found = users_table(client.get("/admin/users", query_string={"q": wallets[7][:12]}).get_data(as_text=True))
    assert f'title="{wallets[7]}"' in found and f'title="{admin.pubkey()!s}"' not in found
    admins = users_table(client.get("/admin/users", query_string={"role": "admin"}).get_data(as_text=True))
    assert "1 in all" not in admins  # a single page shows no pager
    assert f'title="{admin.pubkey()!s}"' in admins and f'title="{wallets[0]}"' not in admins
    assert client.get("/admin/users?role=owner").status_code == 400


def users_table(html: str) -> str:
    start = html.index('<section id="users-table"')
    return html[start:html.index("</section>", start)]


def test_cli_grants_admin(app, runner) -> None:
    wallet = str(Keypair().pubkey())
    result = runner.invoke(args=["users", "grant", "admin", wallet])
    assert result.exit_code == 0 and "is now admin" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.wallet == wallet)) == "admin"
        assert db.session.scalar(select(AuditEntry.action)) == "user.role_changed"
    bad = runner.invoke(args=["users", "grant", "admin", "not-a-wallet"])
    assert bad.exit_code != 0 and "base58" in bad.output
