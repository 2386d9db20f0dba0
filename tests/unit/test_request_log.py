"""Which requests get a log line: writes, errors and slow reads by default; every one with REQUEST_LOG=all."""
from __future__ import annotations

import json
import logging

import pytest
from flask import Flask

from webapp.observability import JsonFormatter, init_request_tracking, request_is_notable


def app_with(policy: str, slow_ms: float = 250) -> Flask:
    app = Flask(__name__)
    app.config.update(REQUEST_LOG=policy, REQUEST_LOG_SLOW_MS=slow_ms)
    init_request_tracking(app)

    @app.route("/page", methods=["GET", "POST"])
    def page() -> str:
        return "ok"

    return app


def logged(app: Flask, caplog: pytest.LogCaptureFixture, method: str, path: str) -> list[dict[str, object]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="momentum.http"):
        app.test_client().open(path, method=method)
    return [record.__dict__["fields"] for record in caplog.records if record.name == "momentum.http"]


def test_fast_successful_reads_are_left_to_the_metrics(caplog: pytest.LogCaptureFixture) -> None:
    assert logged(app_with("notable"), caplog, "GET", "/page") == []


@pytest.mark.parametrize(("method", "path", "status"), [("POST", "/page", 200), ("GET", "/missing", 404)])
def test_writes_and_errors_are_logged(caplog: pytest.LogCaptureFixture, method: str, path: str, status: int) -> None:
    [line] = logged(app_with("notable"), caplog, method, path)
    assert line["method"] == method and line["path"] == path and line["status"] == status


def test_a_slow_read_is_logged() -> None:
    assert request_is_notable("GET", 200, 300.0, 250) is True
    assert request_is_notable("GET", 200, 10.0, 250) is False
    assert request_is_notable("HEAD", 304, 1.0, 250) is False
    assert request_is_notable("DELETE", 204, 1.0, 250) is True


def test_all_logs_every_request_and_off_none(caplog: pytest.LogCaptureFixture) -> None:
    assert len(logged(app_with("all"), caplog, "GET", "/page")) == 1
    assert logged(app_with("off"), caplog, "GET", "/missing") == []


def test_an_unknown_policy_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="REQUEST_LOG must be one of"):
        app_with("verbose")


def test_lines_stay_one_json_object_each() -> None:
    record = logging.LogRecord("momentum.http", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"path": "/tokens/ä", "status": 200}
    line = JsonFormatter().format(record)
    assert "\n" not in line and json.loads(line)["path"] == "/tokens/ä"
