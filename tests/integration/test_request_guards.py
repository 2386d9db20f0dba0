"""Input no page can use (control characters, overlong addresses) is refused in one place, as a styled 4xx."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import LaunchApplication

NUL_PAGES = ["/tokens/%00", "/tokens/?q=%00", "/u/%00", "/tokens/?q=a%0Ab", "/tokens/%1B[31m", "/tokens/?q%00=x"]


@pytest.mark.parametrize("path", NUL_PAGES)
def test_control_characters_in_the_address_get_the_styled_400_page(client, path) -> None:
    reply = client.get(path)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "<html" in html and 'class="error-page"' in html
    assert "control character" in html
    assert "\x00" not in html


def test_control_characters_in_an_htmx_request_get_the_error_fragment(client) -> None:
    reply = client.get("/tokens/?q=%00", headers={"HX-Request": "true"})
    assert reply.status_code == 400
    assert "<html" not in reply.get_data(as_text=True)
    assert reply.headers["HX-Retarget"] == "#alerts"


@pytest.mark.parametrize("path", ["/api/v1/tokens/%00", "/api/v1/tokens?cursor=%00"])
def test_control_characters_in_an_api_address_get_the_json_error(client, path) -> None:
    reply = client.get(path)
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert error["code"] == 400 and "control character" in error["message"] and error["details"] == {}


def _launch_form(auth, **fields: str) -> dict[str, str]:
    return {"csrf_token": auth.csrf_token(), "name": "Garden", "symbol": "GRDN", "tier": "wild_fires", **fields}


def test_a_nul_in_a_posted_form_field_is_refused_and_writes_nothing(app, client, auth) -> None:
    auth.sign_in()
    reply = client.post("/tokens/new", data=_launch_form(auth, name="Gar\x00den"))
    assert reply.status_code == 400
    assert 'class="error-page"' in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LaunchApplication)) == 0


def test_multi_line_form_text_keeps_its_tabs_and_line_breaks(client, auth) -> None:
    auth.sign_in()
    reply = client.post("/tokens/new", data=_launch_form(auth, description="First line\r\n\tindented second line"))
    assert reply.status_code != 400, reply.get_data(as_text=True)


def test_a_very_long_address_gets_the_styled_414_page(client) -> None:
    reply = client.get("/tokens/?q=" + "a" * 5000)
    html = reply.get_data(as_text=True)
    assert reply.status_code == 414
    assert "<html" in html and 'class="error-page"' in html and "Address too long" in html
    assert client.get("/tokens/?q=" + "a" * 2000).status_code == 200


def test_a_very_long_api_address_gets_the_json_error(client) -> None:
    reply = client.get("/api/v1/tokens?cursor=" + "a" * 5000)
    assert reply.status_code == 414 and reply.get_json()["error"]["code"] == 414
