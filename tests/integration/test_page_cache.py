"""Anonymous pages: one render serves every visitor, even when a cold process is asked many times at once."""
from __future__ import annotations

import threading
import time

from webapp.services import page_cache


def test_concurrent_visitors_of_a_cold_page_wait_for_one_render(app) -> None:
    renders: list[int] = []
    pages: list[bytes] = []

    def render() -> str:
        renders.append(1)
        time.sleep(0.3)  # a slow first render, while the others arrive
        return "<p>the shared page</p>"

    def visit() -> None:
        with app.app_context():
            pages.append(page_cache.anonymous_page("cold", 30, render))

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    visitors[0].start()
    time.sleep(0.05)  # the first visitor is rendering
    for visitor in visitors[1:]:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert len(renders) == 1
    assert pages == [b"<p>the shared page</p>"] * 4


def test_a_failed_first_render_lets_the_next_visitor_render(app) -> None:
    def broken() -> str:
        raise RuntimeError("database went away")

    with app.app_context():
        try:
            page_cache.anonymous_page("flaky", 30, broken)
        except RuntimeError:
            pass
        assert page_cache.anonymous_page("flaky", 30, lambda: "<p>T</p>") == b"<p>T</p>"


def test_when_the_first_render_fails_one_waiter_renders_for_the_rest(app) -> None:
    calls: list[int] = []
    pages: list[bytes] = []
    failures: list[Exception] = []

    def render() -> str:
        calls.append(1)
        time.sleep(0.2)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return "<p>second try</p>"

    def visit() -> None:
        with app.app_context():
            try:
                pages.append(page_cache.anonymous_page("retry", 30, render))
            except RuntimeError as error:
                failures.append(error)

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    visitors[0].start()
    time.sleep(0.05)
    for visitor in visitors[1:]:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert len(failures) == 1 and len(calls) == 2
    assert pages == [b"<p>second try</p>"] * 3
