"""Worker processes for loads that run at once: each source's parsing is Python, which one
process runs on one core, so sources get a process each, not a thread.

Workers are forked from a fork server, not from the caller, which may hold threads (Prefect's,
a test's servers); the server imports the loaders once, where spawning would import them for
every worker. Each worker starts as its caller is at that moment (folder, environment, log
levels), and its log records come back through a queue to be handled by the caller's loggers,
as if logged there: the terminal, the log file and any handler a caller added see them.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from logging.handlers import QueueHandler, QueueListener
from multiprocessing.queues import Queue


@contextmanager
def worker_pool(workers: int, *, preload: str) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes, forked from a server that imported module `preload`."""
    forks = multiprocessing.get_context("forkserver")
    forks.set_forkserver_preload([preload])  # once per process: the server starts once
    records = forks.Queue()
    listener = QueueListener(records, _Relogging())
    listener.start()
    whereabouts = (os.getcwd(), dict(os.environ))
    try:
        with ProcessPoolExecutor(
            workers, forks, _as_caller, (records, _levels(), whereabouts)
        ) as pool:
            yield pool
    finally:
        listener.stop()


def _levels() -> dict[str, int]:
    """The levels this process set: the root's and its quieted loggers' (httpx...)."""
    loggers = logging.Logger.manager.loggerDict.values()
    quieted = {
        logger.name: logger.level
        for logger in loggers
        if isinstance(logger, logging.Logger) and logger.level
    }
    return {"": logging.getLogger().level} | quieted


class _Relogging(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


class _Forwarding(QueueHandler):
    """Sends a record as the parent's handlers expect it: the message apart from the
    traceback, which the terminal shows only with --verbose and the log file always keeps."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record = copy.copy(record)
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record


def _as_caller(
    records: Queue, levels: dict[str, int], whereabouts: tuple[str, dict[str, str]]
) -> None:
    """A worker as its caller is now: its folder and environment (the fork server kept those
    it started with), and its logging, through `records`."""
    folder, environment = whereabouts
    os.chdir(folder)
    os.environ.clear()
    os.environ.update(environment)
    root = logging.getLogger()
    root.handlers = [_Forwarding(records)]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
