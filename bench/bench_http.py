"""HTTP benchmark: `slant serve` on loopback under a keep-alive load generator.

Usage: python bench/bench_http.py [--workers 1 2] [--concurrency 1 8 32] [--requests 2000]
                                  [--rate 100 200]
                                  [--soak-requests 10000 | --soak-seconds 600]
                                  [--soak-articles {distinct,same}] [--model DIR]
                                  [--client {python,wrk}] [--no-access-log] [--threads N]

For each worker count it starts `slant serve`, sends 1,000-word articles (built from the
seed articles) over N persistent connections, and prints p50/p90/p99 latency, throughput
and errors per concurrency, plus each worker's RSS before and after. `--threads N`
passes `--threads N` to `slant serve` (gthread workers); by default it serves as
`slant serve` does.

The client runs on the same 2 cores as the server, so its CPU inflates the server's
latency. `--client wrk` (the default when `wrk` is on PATH; Debian package `wrk`) drives
the load with the C tool wrk, which costs far less CPU per request than `--client python`
(N threads using http.client). wrk only knows durations, so its Lua script stops it after
--requests answers; each row prints the count answered.

Those runs are closed loops: each connection sends its next request as soon as its
answer arrives, so the server is saturated, and by Little's law p50 at concurrency N is
about N divided by the throughput. `--rate R` adds, for each concurrency, a run in which
the N connections offer R articles/s in all, on a fixed schedule (the Python client:
at such rates its CPU is a small share of the cores): the latency a client sees while
the server carries that load. It is measured from when each request was due, so a
server that falls behind the schedule shows it.

The soak (concurrency 8) reads each worker's RSS before and after, and every 2,000
requests. By default each of its articles holds 32 words no earlier request had (one
every 30 words or so, like the names and numbers of real news), so the analyzer's word
caches fill up to their bounds as they would on a live feed; `--soak-articles same`
repeats the measured article, whose words are all cached after the first request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

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


#: Stands for a word new to each request in a ``--soak-articles distinct`` article.
NEW_WORD = "@@"


def with_new_words(text: str, every: int = 30) -> str:
    """``text`` with a :data:`NEW_WORD` placeholder after every ``every`` words."""
    words = text.split(" ")
    return " ".join(word if (i + 1) % every else f"{word} Zq{NEW_WORD}"
                    for i, word in enumerate(words))


def fill_new_words(template: str, number: int) -> str:
    """Request ``number``'s article: each placeholder becomes a word no other request
    has (``Zq<number>x<k>``)."""
    pieces = template.split(NEW_WORD)
    return "".join(piece + (f"{number}x{k}" if k < len(pieces) - 1 else "")
                   for k, piece in enumerate(pieces))


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


def start(workers: int, threads: int | None, model: str | None,
          access_log: bool) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # The access log (on by default in `slant serve`) goes to stderr, here /dev/null: its
    # cost is formatting and writing each line.
    command = [sys.executable, "-m", "classifier.cli", "serve", "--port", str(port),
               "--workers", str(workers), "--access-log" if access_log else "--no-access-log"]
    if threads:
        command += ["--threads", str(threads)]
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


def describe(errors: Counter) -> str:
    kinds = ", ".join(f"{kind}: {count}" for kind, count in errors.most_common())
    return f"{sum(errors.values())}" + (f" ({kinds})" if kinds else "")


class Run(NamedTuple):
    """One load run, whichever client made it; latency percentiles in ms."""

    requests: int
    seconds: float
    p50: float
    p90: float
    p99: float
    errors: Counter  # kind -> count, so a failure is never just a number

    def summary(self) -> str:
        return (f"{self.requests} requests, {self.requests / self.seconds:6.1f} articles/s, "
                f"p50 {self.p50:6.1f} ms, p90 {self.p90:6.1f} ms, p99 {self.p99:6.1f} ms, "
                f"errors {describe(self.errors)}")


class Articles(NamedTuple):
    """What a load sends: ``body`` every time, or, with ``first`` set, a body with
    :data:`NEW_WORD` placeholders that the k-th request fills with ``first + k``."""

    body: bytes
    first: int | None = None

    def request(self, k: int) -> bytes:
        if self.first is None:
            return self.body
        return fill_new_words(self.body.decode(), self.first + k).encode()


class _Recorder:
    """What the Python clients' threads share: each request's latency, and the errors."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def post(self, connection: http.client.HTTPConnection, body: bytes,
             since: float) -> http.client.HTTPConnection:
        """POST one article and record its latency from ``since``; returns the connection
        to send the next one on (a new one after a failure)."""
        try:
            connection.request("POST", "/v1/analyze", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            problem = None if response.status == 200 else f"HTTP {response.status}"
        except OSError as exc:
            problem = repr(exc)
            connection.close()
            connection = self.connect()
        elapsed = time.perf_counter() - since
        with self.lock:
            self.latencies.append(elapsed)
            if problem:
                self.errors.append(problem)
        return connection

    def run(self, threads: list[threading.Thread], started: float) -> Run:
        """Start the client threads, wait for them, and sum up from ``started``."""
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        return Run(len(self.latencies), wall,
                   *(percentile(self.latencies, q) for q in (50, 90, 99)), Counter(self.errors))


def load_python(port: int, articles: Articles, requests: int, concurrency: int) -> Run:
    recorder = _Recorder(port)
    counter = iter(range(requests))

    def client() -> None:
        connection = recorder.connect()
        while True:
            with recorder.lock:
                k = next(counter, None)
            if k is None:
                break
            body = articles.request(k)
            connection = recorder.post(connection, body, time.perf_counter())

    return recorder.run([threading.Thread(target=client) for _ in range(concurrency)],
                        time.perf_counter())


def load_paced(port: int, articles: Articles, requests: int, concurrency: int,
               rate: float) -> Run:
    """``requests`` requests offered at ``rate`` per second in all, over ``concurrency``
    connections (Python threads): request k is due ``k / rate`` seconds after the start
    and goes out on connection ``k % concurrency``, which waits until then.

    Latency runs from when a request was due, not from when it went out: a request held
    back behind a slow answer on its connection counts that wait too, so a server that
    falls behind shows it (no coordinated omission). The run's articles/s is what was
    answered; below the server's capacity it is the offered rate.
    """
    recorder = _Recorder(port)
    start = time.perf_counter() + 0.05  # every thread is waiting when the first is due

    def client(first: int) -> None:
        connection = recorder.connect()
        for k in range(first, requests, concurrency):
            due = start + k / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            connection = recorder.post(connection, articles.request(k), due)

    return recorder.run([threading.Thread(target=client, args=(i,))
                         for i in range(concurrency)], start)


def percentile(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


# done() prints one machine-readable line, so nothing depends on wrk's human table;
# latency.percentile() is exact (wrk keeps a 1-microsecond histogram).
WRK_SCRIPT = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [{level}[{body}]{level}]
{new_words}
-- The thread stops after the run's requests and says so; the bench then ends the run
-- with SIGINT (wrk itself only knows durations and would sleep out the -d cap).
local answered = 0
function response(status, headers, body)
  answered = answered + 1
  if answered == {requests} then
    io.write("slant-wrk-thread-done\\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "slant-wrk requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d "
    .. "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""
#: Upper bound of one wrk run (connections that keep failing never reach the count); a
#: run ends as soon as its requests are answered.
WRK_CAP_SECONDS = 600
WRK_ERRORS = {"connect": "connect", "read": "read", "write": "write",
              "status": "HTTP status >= 400", "timeout": "timeout"}


# With new words, every request is built from the body: fill_new_words in Lua.
WRK_NEW_WORDS = """
local number = {first} - 1
function request()
  number = number + 1
  local k = -1
  local body = wrk.body:gsub("{placeholder}", function() k = k + 1; return number .. "x" .. k end)
  return wrk.format(nil, nil, nil, body)
end
"""


def wrk_script(articles: Articles, requests: int) -> str:
    text = articles.body.decode()
    level = "="
    while f"]{level}]" in text:  # a Lua long string needs a closing bracket absent from the body
        level += "="
    new_words = ("" if articles.first is None else
                 WRK_NEW_WORDS.format(first=articles.first, placeholder=NEW_WORD))
    return WRK_SCRIPT.format(level=level, body=text, requests=requests, new_words=new_words)


def run_wrk(port: int, script: str, seconds: int, concurrency: int) -> Run:
    # One thread (an event loop: it keeps hundreds of requests a second in flight). With
    # several, a thread that has sent its share would stop while holding connections the
    # server's sync workers have accepted, and stall the others' requests.
    # --timeout 60s as the Python client: wrk leaves latencies above its timeout (2 s by
    # default) out of the histogram, which would hide the slowest requests.
    command = [shutil.which("wrk"), "-t1", f"-c{concurrency}", f"-d{seconds}s",
               "--timeout", "60s", "--latency", "-s", script,
               f"http://127.0.0.1:{port}/v1/analyze"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("slant-wrk-thread-done"):
            process.send_signal(signal.SIGINT)  # wrk then joins its thread and reports
    stdout, stderr = "".join(lines), process.stderr.read()
    returncode = process.wait()
    match = re.search(r"^slant-wrk (.*)$", stdout, re.MULTILINE)
    if returncode or not match:
        raise SystemExit(f"wrk failed (exit {returncode}):\n{stdout}{stderr}")
    fields = {key: int(value) for key, value in
              (pair.split("=") for pair in match.group(1).split())}
    errors = Counter({label: fields[key] for key, label in WRK_ERRORS.items() if fields[key]})
    return Run(fields["requests"], fields["duration_us"] / 1e6,
               *(fields[f"p{q}_us"] / 1000 for q in (50, 90, 99)), errors)


def load_wrk(port: int, articles: Articles, requests: int, concurrency: int) -> Run:
    """``requests`` requests: wrk's thread stops after them; the duration is only a cap."""
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "post.lua"
        script.write_text(wrk_script(articles, requests), encoding="utf-8")
        return run_wrk(port, str(script), WRK_CAP_SECONDS, concurrency)


LOADS = {"python": load_python, "wrk": load_wrk}


def soak(load, port: int, template: Articles, master: int, *, seconds: float = 0,
         requests: int = 0) -> None:
    """Load at concurrency 8 for ``seconds`` or ``requests`` (whole rounds of 2,000),
    printing the workers' RSS at the start and after each round."""
    print(f"soak ({'distinct' if template.first is not None else 'same'} articles): worker "
          f"RSS at start {[round(rss_mb(p), 1) for p in worker_pids(master)]} MB")
    started, sent, errors = time.perf_counter(), 0, Counter()
    while (time.perf_counter() - started < seconds) if seconds else sent < requests:
        articles = template if template.first is None else template._replace(first=sent)
        run = load(port, articles, 2000 if seconds else min(2000, requests - sent), 8)
        sent, errors = sent + run.requests, errors + run.errors
        if not run.requests:
            raise SystemExit(f"soak: a round got no answer (errors {describe(run.errors)})")
        rss = [round(rss_mb(p), 1) for p in worker_pids(master)]
        print(f"  {time.perf_counter() - started:5.0f} s: {sent} requests "
              f"({run.requests / run.seconds:.1f}/s, p50 {run.p50:.1f}, p99 {run.p99:.1f} ms), "
              f"errors {describe(errors)}, worker RSS {rss} MB", flush=True)
    print(f"soak: {sent} requests in {time.perf_counter() - started:.0f} s, "
          f"errors {describe(errors)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--soak-requests", type=int, default=10000,
                        help="requests at concurrency 8 between the two RSS readings")
    parser.add_argument("--soak-seconds", type=int, default=0,
                        help="instead of --soak-requests, load at concurrency 8 for this long")
    parser.add_argument("--soak-articles", choices=["distinct", "same"], default="distinct",
                        help="soak with articles that each hold words no earlier request had "
                        "(default), or with the measured article over and over")
    parser.add_argument("--rate", type=float, nargs="+", default=[],
                        help="also run each concurrency at these offered rates "
                        "(articles/s in all; paced Python client, latency from when each "
                        "request was due)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker (default: slant serve's)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                        help="serve with the JSON access log, as `slant serve` does by default "
                        "(--no-access-log measures without it)")
    parser.add_argument("--client", choices=sorted(LOADS),
                        default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk costs far less CPU per request on the "
                        "server's cores (default: wrk if on PATH, else python)")
    args = parser.parse_args()
    if args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not on PATH (Debian: apt-get install -y wrk)")
    load = LOADS[args.client]
    text = article()
    body = json.dumps({"text": text}).encode()
    measured = Articles(body)
    soaked = (measured if args.soak_articles == "same" else
              Articles(json.dumps({"text": with_new_words(text)}).encode(), first=0))
    print(f"article: {len(text.split())} words, {len(body)} bytes; cores: {os.cpu_count()}; "
          f"Python {sys.version.split()[0]} ({sys.executable})")
    for workers in args.workers:
        process, port = start(workers, args.threads, args.model, args.access_log)
        try:
            load(port, measured, 50, 2)  # warm-up, with the client that will measure
            pids = worker_pids(process.pid)
            threads = f" x {args.threads} threads" if args.threads else ""
            print(f"\n== {workers} worker(s){threads}; client {args.client}; access log "
                  f"{'on' if args.access_log else 'off'}; master RSS "
                  f"{rss_mb(process.pid):.0f} MB; worker "
                  f"RSS {', '.join(f'{rss_mb(p):.0f}' for p in pids)} MB")
            for concurrency in args.concurrency:
                run = load(port, measured, args.requests, concurrency)
                print(f"concurrency {concurrency:>2}: {run.summary()}")
                for rate in args.rate:
                    run = load_paced(port, measured, args.requests, concurrency, rate)
                    print(f"concurrency {concurrency:>2} at {rate:g} articles/s offered: "
                          f"{run.summary()}")
            if args.soak_seconds or args.soak_requests:
                soak(load, port, soaked, process.pid, seconds=args.soak_seconds,
                     requests=args.soak_requests)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
