"""Serve a simulated API for real: uvicorn on a free 127.0.0.1 port, in a background thread,
with switchable faults (rate limits, server errors, slow pages) drawn from a seeded stream."""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI


@dataclass(frozen=True)
class Faults:
    """Per-request probabilities of each fault the contract lists; all off by default."""

    rate_limit: float = 0.0  # 429 with the API's rate-limit headers
    server_error: float = 0.0  # 503 (social) / 500 (SMS)
    slow: float = 0.0  # the page answers after `slow_seconds`
    slow_seconds: float = 2.0
    retry_after_seconds: int = 1

    @property
    def any(self) -> bool:
        return bool(self.rate_limit or self.server_error or self.slow)


class FaultDice:
    """Decides, request by request, which fault happens; same seed and requests, same faults."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self.faults = faults
        self._rng = random.Random(f"{seed}:faults")
        self._lock = threading.Lock()

    def roll(self) -> str | None:
        with self._lock:
            draw = self._rng.random()
        if draw < self.faults.rate_limit:
            return "rate_limit"
        draw -= self.faults.rate_limit
        if draw < self.faults.server_error:
            return "server_error"
        draw -= self.faults.server_error
        if draw < self.faults.slow:
            time.sleep(self.faults.slow_seconds)
        return None


class ApiServer:
    """A FastAPI app served on 127.0.0.1 until ``stop()``; usable as a context manager."""

    def __init__(self, app: FastAPI, port: int = 0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the simulated API did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
