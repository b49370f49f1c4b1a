"""HTTP benchmark: `slant serve` on loopback under a keep-alive load generator.

Usage: python bench/bench_http.py [--workers 1 2] [--concurrency 1 8 32] [--requests 2000]
                                  [--soak-requests 10000 | --soak-seconds 600] [--model DIR]

For each worker count it starts `slant serve`, sends 1,000-word articles (built from the
seed articles) from N client threads over persistent connections, and prints p50/p90/p99
latency, throughput and errors per concurrency, plus each worker's RSS before and after.
The client runs on the same 2 cores as the server, so figures are conservative.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def article(words: int = 1000) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    body, count = [], 0
    while count < words:
        for text in texts:
            for paragraph in text.split("\n\n")[1:]:
                body.append(paragraph)
                count += len(paragraph.split())
                if count >= words:
                    return "\n\n".join(body)
    return "\n\n".join(body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def start(workers: int, model: str | None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "classifier.cli", "serve", "--port", str(port),
               "--workers", str(workers), "--no-access-log"]
    if model:
        command += ["--model", model]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def load(port: int, body: bytes, requests: int, concurrency: int):
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            started = time.perf_counter()
            try:
                connection.request("POST", "/v1/analyze", body,
                                   {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                problem = None if response.status == 200 else f"HTTP {response.status}"
            except OSError as exc:
                problem = repr(exc)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def percentile(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def soak(port: int, body: bytes, pids: list[int], master: int, seconds: int) -> None:
    """Load at concurrency 8 for ``seconds``, printing worker RSS along the way."""
    print(f"soak: worker RSS at start {[round(rss_mb(p), 1) for p in pids]} MB")
    started, requests, errors = time.perf_counter(), 0, 0
    while time.perf_counter() - started < seconds:
        latencies, failed, _ = load(port, body, 2000, 8)
        requests, errors = requests + len(latencies), errors + len(failed)
        rss = [round(rss_mb(p), 1) for p in worker_pids(master)]
        print(f"  {time.perf_counter() - started:5.0f} s: {requests} requests, "
              f"errors {errors}, worker RSS {rss} MB", flush=True)
    print(f"soak: {requests} requests in {time.perf_counter() - started:.0f} s, "
          f"errors {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--soak-requests", type=int, default=10000,
                        help="requests at concurrency 8 between the two RSS readings")
    parser.add_argument("--soak-seconds", type=int, default=0,
                        help="instead of --soak-requests, load at concurrency 8 for this long "
                        "and print worker RSS after every 2,000 requests")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    text = article()
    body = json.dumps({"text": text}).encode()
    print(f"article: {len(text.split())} words, {len(body)} bytes; cores: {os.cpu_count()}")
    for workers in args.workers:
        process, port = start(workers, args.model)
        try:
            load(port, body, 50, 2)  # warm-up
            pids = worker_pids(process.pid)
            print(f"\n== {workers} worker(s); master RSS {rss_mb(process.pid):.0f} MB; worker "
                  f"RSS {', '.join(f'{rss_mb(p):.0f}' for p in pids)} MB")
            for concurrency in args.concurrency:
                latencies, errors, wall = load(port, body, args.requests, concurrency)
                print(f"concurrency {concurrency:>2}: {len(latencies)} requests, "
                      f"{len(latencies) / wall:6.1f} articles/s, "
                      f"p50 {percentile(latencies, 50):6.1f} ms, "
                      f"p90 {percentile(latencies, 90):6.1f} ms, "
                      f"p99 {percentile(latencies, 99):6.1f} ms, errors {len(errors)}")
            if args.soak_seconds:
                soak(port, body, pids, process.pid, args.soak_seconds)
            elif args.soak_requests:
                before = [rss_mb(p) for p in pids]
                latencies, errors, wall = load(port, body, args.soak_requests, 8)
                after = [rss_mb(p) for p in worker_pids(process.pid)]
                print(f"soak: {len(latencies)} requests in {wall:.0f} s, errors {len(errors)}; "
                      f"worker RSS before {before} MB, after {after} MB")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
