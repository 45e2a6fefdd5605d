"""Requests per second and latency of the read API's main endpoints, at 1, 10 and 50 concurrent
clients, on a warehouse holding a simulated month.

    uv run python benchmarks/api_throughput.py [--scale 100] [--days 30] [--seconds 10]

Generates the scenario, loads and builds it in a scratch database (as production would: a load
every six days), starts `beejan api serve` on it as a subprocess, and has each client (a thread
with its own HTTP session) ask one endpoint again and again for `--seconds`. The clients run on
the same machine as the server and the warehouse, so they share its cores. Prints a table and
appends it, with the machine's cores and memory, to benchmarks/results/api_throughput.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from record import append_results
from scratch import scratch_databases

from serving import api_keys
from simulator.live import live
from simulator.production import play
from simulator.scenario import Scenario, ScenarioConfig

ENDPOINTS = {
    "complaint counts (day, one channel)": "/v1/complaint-counts?grain=day&channel=sms&limit=100",
    "complaints (page of 100)": "/v1/complaints?limit=100",
    "complaints (priority P2)": "/v1/complaints?priority=P2&limit=100",
    "churn risk (high band)": "/v1/churn-risk?band=high&limit=100",
    "outage signals": "/v1/outage-signals?limit=100",
}
CONCURRENCY = (1, 10, 50)


def hammer(url: str, key: str, clients: int, seconds: float) -> tuple[int, list[float], int]:
    """(answers, latencies in ms, failed answers) of `clients` threads asking `url`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            session.headers["X-API-Key"] = key
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = session.get(url, timeout=60)
                latencies[index].append((time.perf_counter() - started) * 1000)
                failures[index] += answer.status_code != 200

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [latency for per_client in latencies for latency in per_client]
    return len(flat), flat, sum(failures)


def percentile(values: list[float], share: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="complaints per day")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10, help="per endpoint and concurrency")
    parser.add_argument("--connections", type=int, default=8, help="the API's warehouse pool")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = Path(tempfile.mkdtemp(prefix="beejan-api-bench-"))
    with scratch_databases() as (target, crm):
        print(f"simulating, loading and building {args.days} days at {args.scale} complaints/day")
        scenario = Scenario(root / "scenario", ScenarioConfig(seed=7, scale=args.scale), crm)
        scenario.advance(1)
        with live(scenario) as running:
            settings = running.settings(
                _env_file=None,
                data_dir=root / "data",
                environment="ci",
                api_keys_file=root / "keys.json",
            )
            play(running, target, settings, args.days)
        key = api_keys.issue("benchmark", settings)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BEEJAN_", "PG"))} | {
            "BEEJAN_WAREHOUSE_DSN": target.dsn(),
            "BEEJAN_DATA_DIR": str(root / "data"),
            "BEEJAN_ENVIRONMENT": "ci",
            "BEEJAN_API_KEYS_FILE": str(root / "keys.json"),
            "BEEJAN_API_RATE_LIMIT": "1000000/second",  # the limiter is on, never the bottleneck
            "BEEJAN_LOG_FILE": str(root / "api.jsonl"),
        }
        port = str(free_port())
        command = [
            str(Path(sys.executable).parent / "beejan"),
            "api",
            "serve",
            "--port",
            port,
            "--connections",
            str(args.connections),
        ]
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base)
            rows = measure(base, key, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(rows, args)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str) -> None:
    for _ in range(240):
        try:
            if requests.get(f"{base}/openapi.json", timeout=2).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise SystemExit("the API did not start")


def measure(base: str, key: str, seconds: float) -> list[tuple]:
    rows = []
    print(f"{'endpoint':<38} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'failed':>6}")
    for name, path in ENDPOINTS.items():
        for clients in CONCURRENCY:
            answers, latencies, failed = hammer(f"{base}{path}", key, clients, seconds)
            row = (
                name,
                clients,
                answers / seconds,
                percentile(latencies, 0.5),
                percentile(latencies, 0.95),
                failed,
            )
            rows.append(row)
            print(
                f"{row[0]:<38} {row[1]:>7} {row[2]:>8.1f} {row[3]:>8.1f} {row[4]:>8.1f} {row[5]:>6}"
            )
    return rows


def report(rows: list[tuple], args: argparse.Namespace) -> None:
    append_results(
        "api_throughput",
        "Read API throughput (benchmarks/api_throughput.py)",
        f"{args.days} days at {args.scale} complaints/day; {args.seconds:.0f} s per cell;"
        f" API pool of {args.connections} connections",
        ["endpoint", "clients", "req/s", "p50 ms", "p95 ms", "failed"],
        [[r[0], r[1], f"{r[2]:.1f}", f"{r[3]:.1f}", f"{r[4]:.1f}", r[5]] for r in rows],
    )


if __name__ == "__main__":
    main()
