"""The RPC client's circuit breaker: closed -> open -> half-open -> closed."""
from __future__ import annotations

from webapp.chain.rpc.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from webapp.chain.rpc.endpoint import redact


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_recovers_through_one_trial() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, reset_timeout=10.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == CLOSED and breaker.allow(), "a success resets the count"
    breaker.record_failure()
    assert breaker.state == OPEN and not breaker.allow()
    assert breaker.retry_in() == 10.0
    clock.now = 10.0
    assert breaker.state == HALF_OPEN
    assert breaker.allow() and not breaker.allow(), "half-open lets exactly one trial through"
    breaker.record_failure()
    assert breaker.state == OPEN, "a failed trial opens it again"
    clock.now = 20.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == CLOSED and breaker.allow()


def test_a_lost_trial_does_not_block_forever() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=5.0, clock=clock)
    breaker.record_failure()
    clock.now = 5.0
    assert breaker.allow()
    clock.now = 11.0
    assert breaker.allow(), "a trial that never reported back is given up after the reset timeout"


def test_endpoint_names_hide_credentials() -> None:
    assert redact("https://user:pw@rpc.example.com:8899/v1?api-key=secret") == "https://rpc.example.com:8899/v1"
