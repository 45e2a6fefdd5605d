"""The API sources' own loading rate, against a replay server that serves pre-rendered pages.

    uv run python benchmarks/api_load_throughput.py --scale 20000 --days 3 [--sources sms]

Generates a scenario and loads each API source once through a recording proxy in front of the
simulator, which keeps every page it answered. Then the raw schema and the pipeline's state are
dropped, and the source is loaded again, timed, from a replay server in its own process that
answers the same requests with the recorded bytes: no simulator, no per-response OpenAPI check
and no fault dice in the timed path, so what is measured is the loader (HTTP client, checks,
Arrow tables, Parquet, COPY and merge). Prints records/s per source and appends them, with the
machine's cores and memory, to benchmarks/results/api_load_throughput.md.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import requests
from psycopg import sql
from record import append_results
from scratch import scratch_databases

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from extract_load.runner import load_sources
from simulator.live import LiveScenario, live
from simulator.scenario import Scenario, ScenarioConfig

API_SOURCES = {"social": ("social_api_base", "tweets"), "sms": ("sms_api_base", "messages")}
Pages = dict[str, tuple[int, str, bytes]]  # path and query -> status, content type, body


def serve(pages: Pages, port_out: multiprocessing.SimpleQueue) -> None:
    """Serve `pages` on a free local port, said on `port_out`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real API
        # headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm held
        # the body until the client's delayed ACK, 40 ms a page
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            status, kind, body = pages[self.path]
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_port)
    server.serve_forever()


@contextmanager
def replay_server(pages: Pages) -> Iterator[str]:
    """The recorded pages served by a process of their own; its base URL."""
    forked = multiprocessing.get_context("fork")  # the child starts with the pages in memory
    port = forked.SimpleQueue()
    process = forked.Process(target=serve, args=(pages, port), daemon=True)
    process.start()
    try:
        yield f"http://127.0.0.1:{port.get()}"
    finally:
        process.terminate()
        process.join()


@contextmanager
def recording_proxy(upstream: str, pages: Pages) -> Iterator[str]:
    """A proxy in front of `upstream` keeping each successful answer in `pages`."""
    session = requests.Session()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = session.get(upstream + self.path, headers=dict(self.headers), timeout=60)
            if answer.status_code == 200:
                kind = answer.headers.get("content-type", "application/json")
                pages[self.path] = (200, kind, answer.content)
            self.send_response(answer.status_code)
            for name in ("content-type", "retry-after", "x-rate-limit-reset"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def forget(source: str, target: PostgresConnection, root: Path) -> None:
    """The source as never loaded: its raw schema and its pipeline's local state gone."""
    with psycopg.connect(target.dsn(), autocommit=True) as conn:
        schema = sql.Identifier(f"raw_{source}")
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(schema))
    shutil.rmtree(root / "state" / "dlt", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20000, help="complaints per day")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument(
        "--sources", nargs="+", choices=list(API_SOURCES), default=list(API_SOURCES), help="both"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = Path(tempfile.mkdtemp(prefix="beejan-api-load-bench-"))
    table = []
    try:
        with scratch_databases() as (target, crm):
            print(f"generating {args.days} days at {args.scale} complaints/day ...", flush=True)
            scenario = Scenario(root / "scenario", ScenarioConfig(scale=args.scale), crm)
            scenario.advance(args.days)
            with live(scenario) as running:
                for source in args.sources:
                    table.append(measure(source, running, target, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    append_results(
        "api_load_throughput",
        "API sources' loading rate against a replay server (benchmarks/api_load_throughput.py)",
        f"{args.days} days at {args.scale} complaints/day",
        ["source", "records", "pages", "seconds", "records/s"],
        table,
    )


def measure(
    source: str, running: LiveScenario, target: PostgresConnection, root: Path
) -> list[str]:
    setting, table = API_SOURCES[source]
    settings = running.settings(_env_file=None, data_dir=root / "state")
    ensure_roles(target, settings)
    pages: Pages = {}
    with recording_proxy(getattr(settings, setting), pages) as proxy:
        (recorded,) = load_sources([source], settings.model_copy(update={setting: proxy}), target)
    assert recorded.ok, recorded.error
    forget(source, target, root)
    with replay_server(pages) as replay:
        started = time.perf_counter()
        (result,) = load_sources([source], settings.model_copy(update={setting: replay}), target)
        seconds = time.perf_counter() - started
    assert result.ok, result.error
    records = result.rows[table] + sum(result.quarantined.values())
    row = [source, f"{records:,}", f"{len(pages):,}", f"{seconds:.1f}", f"{records / seconds:,.0f}"]
    print(" ".join(row), flush=True)
    return row


if __name__ == "__main__":
    main()
