"""A circuit breaker per RPC endpoint: stop sending to an endpoint that keeps failing."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """closed -> (N consecutive failures) -> open -> (reset timeout) -> half_open -> one trial call.

    The trial's success closes the breaker; its failure opens it again. Shared
    by the threads of a web worker, hence the lock.
    """

    def __init__(self, failure_threshold: int = 3, reset_timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_started_at: float | None = None

    @property
    def state(self) -> str:
        with self._lock:
            self._maybe_half_open()
            return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def _maybe_half_open(self) -> None:
        if self._state == OPEN and self._clock() >= self._opened_at + self.reset_timeout:
            self._state = HALF_OPEN
            self._trial_started_at = None

    def allow(self) -> bool:
        """May a request go to this endpoint now? In half_open, only one trial at a time."""
        with self._lock:
            self._maybe_half_open()
            if self._state == CLOSED:
                return True
            if self._state == HALF_OPEN:
                # A trial that never reported back (caller crashed) must not block forever.
                started = self._trial_started_at
                if started is None or self._clock() - started > self.reset_timeout:
                    self._trial_started_at = self._clock()
                    return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._state = CLOSED
            self._failures = 0
            self._trial_started_at = None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state == HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = OPEN
                self._opened_at = self._clock()
                self._trial_started_at = None

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial through (0 when not open)."""
        with self._lock:
            if self._state != OPEN:
                return 0.0
            return max(0.0, self._opened_at + self.reset_timeout - self._clock())
