"""The gunicorn configuration: it deletes nothing but metric files and refuses a port that is taken."""
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


class _Log:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str, *args: object) -> None:
        self.errors.append(message % args)


class _Server:
    def __init__(self, address: tuple[str, int]) -> None:
        self.cfg = type("Cfg", (), {"address": [address], "reuse_port": True})()
        self.log = _Log()


def load_conf(monkeypatch: pytest.MonkeyPatch, value: str | None) -> ModuleType:
    if value is None:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    else:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    assert spec is not None and spec.loader is not None, f"cannot load {CONF}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_empty_metrics_setting_keeps_the_working_directory(tmp_path, monkeypatch):
    kept = tmp_path / "repository-file.txt"
    kept.write_text("work")
    monkeypatch.chdir(tmp_path)
    conf = load_conf(monkeypatch, "")
    conf.on_starting(_Server(("127.0.0.1", 0)))
    assert kept.read_text() == "work"
    assert conf._metrics_dir == CONF.parent / "instance" / "prometheus"


def test_starting_removes_only_stale_metric_files(tmp_path, monkeypatch):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_123.db").write_bytes(b"stale")
    (metrics / "notes.txt").write_text("not ours")
    conf = load_conf(monkeypatch, str(metrics))
    conf.on_starting(_Server(("127.0.0.1", 0)))
    assert not (metrics / "counter_123.db").exists()
    assert (metrics / "notes.txt").read_text() == "not ours"


def test_a_missing_metrics_folder_is_created(tmp_path, monkeypatch):
    metrics = tmp_path / "new" / "metrics"
    conf = load_conf(monkeypatch, str(metrics))
    conf.on_starting(_Server(("127.0.0.1", 0)))
    assert metrics.is_dir()


def test_a_port_another_server_holds_is_refused_loudly(tmp_path, monkeypatch):
    import socket

    import pytest

    conf = load_conf(monkeypatch, str(tmp_path / "metrics"))
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as a running worker holds it
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        server = _Server(holder.getsockname())
        with pytest.raises(SystemExit):
            conf.on_starting(server)
        assert "already running" in server.log.errors[0]
    free = _Server(("127.0.0.1", 0))
    conf.on_starting(free)
    assert free.log.errors == []


def test_a_port_left_in_time_wait_by_the_last_run_is_free(tmp_path, monkeypatch):
    import socket

    conf = load_conf(monkeypatch, str(tmp_path / "metrics"))
    with socket.socket() as listener:  # the last run's server, with a client that was connected
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = listener.getsockname()
        client = socket.create_connection(address)
        served, _ = listener.accept()
        served.close()  # the server closes first: its side of the port sits in TIME_WAIT
        client.close()
    server = _Server(address)
    conf.on_starting(server)
    assert server.log.errors == []


def test_request_lines_the_app_refuses_reach_the_app(tmp_path, monkeypatch):
    """Lines longer than the app's limit must get past gunicorn, so the site's 414 page answers them."""
    from gunicorn.http.message import MAX_REQUEST_LINE  # type: ignore[import-untyped]  # gunicorn ships no type hints

    from webapp.security import MAX_REQUEST_TARGET

    conf = load_conf(monkeypatch, str(tmp_path / "metrics"))
    request_line_overhead = len("GET  HTTP/1.1")
    assert conf.limit_request_line > 0  # 0 is unlimited in gunicorn
    assert MAX_REQUEST_TARGET + request_line_overhead < conf.limit_request_line <= MAX_REQUEST_LINE
    assert 5000 + request_line_overhead < conf.limit_request_line


class _RecordingSocket:
    def __init__(self) -> None:
        self.sends: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sends.append(bytes(data))


def _response(monkeypatch: pytest.MonkeyPatch, method: str = "GET") -> tuple[Any, _RecordingSocket]:
    from gunicorn.http import wsgi  # type: ignore[import-untyped]  # gunicorn ships no type hints

    monkeypatch.setattr(wsgi.Response, "write", wsgi.Response.write)  # the patch is undone after the test
    load_conf(monkeypatch, None).send_headers_with_the_body()
    request = type("Request", (), {"version": (1, 1), "method": method, "should_close": lambda self: False})()
    sock = _RecordingSocket()
    return wsgi.Response(request, sock, type("Config", (), {})()), sock


def test_a_page_goes_out_in_one_send_with_its_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    response, sock = _response(monkeypatch)
    response.start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "5")])
    response.write(b"hello")
    response.close()
    assert len(sock.sends) == 1
    head, _, body = sock.sends[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Content-Length: 5" in head and body == b"hello"


def test_chunked_and_bodiless_answers_keep_gunicorns_own_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    response, sock = _response(monkeypatch)
    response.start_response("200 OK", [("Content-Type", "text/plain")])  # no length: chunked
    response.write(b"part")
    response.close()
    assert sock.sends[0].endswith(b"\r\n\r\n") and b"Transfer-Encoding: chunked" in sock.sends[0]
    assert b"".join(sock.sends[1:]) == b"4\r\npart\r\n0\r\n\r\n"

    head_response, head_sock = _response(monkeypatch, method="HEAD")
    head_response.start_response("200 OK", [("Content-Length", "5")])
    head_response.write(b"hello")  # a HEAD answer drops the body
    head_response.close()
    assert len(head_sock.sends) == 1 and head_sock.sends[0].endswith(b"\r\n\r\n")
