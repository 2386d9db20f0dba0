"""The gunicorn configuration must never delete anything but metric files."""
import importlib.util
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load_conf(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    else:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_empty_metrics_setting_keeps_the_working_directory(tmp_path, monkeypatch):
    kept = tmp_path / "repository-file.txt"
    kept.write_text("work")
    monkeypatch.chdir(tmp_path)
    conf = load_conf(monkeypatch, "")
    conf.on_starting(server=None)
    assert kept.read_text() == "work"
    assert conf._metrics_dir == CONF.parent / "instance" / "prometheus"


def test_starting_removes_only_stale_metric_files(tmp_path, monkeypatch):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_123.db").write_bytes(b"stale")
    (metrics / "notes.txt").write_text("not ours")
    conf = load_conf(monkeypatch, str(metrics))
    conf.on_starting(server=None)
    assert not (metrics / "counter_123.db").exists()
    assert (metrics / "notes.txt").read_text() == "not ours"


def test_a_missing_metrics_folder_is_created(tmp_path, monkeypatch):
    metrics = tmp_path / "new" / "metrics"
    conf = load_conf(monkeypatch, str(metrics))
    conf.on_starting(server=None)
    assert metrics.is_dir()
