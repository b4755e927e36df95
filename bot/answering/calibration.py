"""Calibration helpers of training: the softmax temperature of held-out scores, and the
calibration fits run in a forked child while the main fits go on (both cores)."""

from __future__ import annotations

import logging
import os
import signal
import struct
import threading
from collections.abc import Callable

import numpy as np

log = logging.getLogger(__name__)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the log loss of held-out scores (golden-section search)."""

    def loss(t: float) -> float:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    lo, hi = np.log(0.01), np.log(100.0)
    g = (np.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = loss(np.exp(a)), loss(np.exp(b))
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = loss(np.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = loss(np.exp(b))
    return float(np.exp((lo + hi) / 2))


class Concurrent:
    """Floats computed in a forked copy of this process while this one goes on (the main fits
    and the calibration fits then use both cores), or here when forking is not safe.

    Not in threads: liblinear draws from one global random generator, so two fits at once
    would not be deterministic. Forked only from a process without other threads (the builder
    child; never the bot itself, whose threads may hold locks). The result is the same either
    way: the child runs the same code on the same data with its own fixed seeds.
    """

    def __init__(self, compute: Callable[[], list[float]], count: int, fork: bool = True):
        self.compute = compute
        self.count = count
        self.fork = fork
        self._pid = 0
        self._fd = -1

    def start(self) -> None:
        """Fork the child that computes the values (when allowed)."""
        if not (self.fork and hasattr(os, "fork") and threading.active_count() == 1):
            return
        import sklearn.model_selection  # noqa: F401  (the child then imports nothing)

        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, write the doubles, never return into the caller
            code = 1
            try:
                os.close(read)
                os.write(write, struct.pack(f"<{self.count}d", *self.compute()))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._fd = pid, read

    def cancel(self) -> None:
        """Stop the child, if any (the caller failed and will not ask for the result)."""
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.close(self._fd)
            os.waitpid(self._pid, 0)
            self._pid = 0

    def result(self) -> list[float]:
        """The values: the child's, or computed here (not started, or the child failed)."""
        if not self._pid:
            return self.compute()
        size, data = 8 * self.count, b""
        try:
            while len(data) < size and (chunk := os.read(self._fd, size - len(data))):
                data += chunk
        finally:
            os.close(self._fd)
            os.waitpid(self._pid, 0)
            self._pid = 0
        if len(data) < size:
            log.warning("the calibration child failed; calibrating in this process")
            return self.compute()
        return list(struct.unpack(f"<{self.count}d", data))
