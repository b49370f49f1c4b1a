"""Prometheus metrics at ``GET /metrics``: request counts, latency histogram, errors.

The counters live in a small memory-mapped temporary file created by
:func:`init_app`. When the app is created before gunicorn forks its workers
(``slant serve`` preloads it), every worker maps the same pages, so ``/metrics``
reports the totals of all workers whichever worker answers. An app created inside
each worker (gunicorn without ``--preload``) counts per worker.

Writers take a thread lock and then a POSIX record lock (``lockf``) on the file; the
kernel drops the record lock of a worker that dies, so a killed worker cannot wedge
the others. Label values are fixed when the app is created (its endpoints, the
statuses in :data:`~api.errors.ERROR_CODES`, the error codes), so the layout
never changes.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import tempfile
import threading
import time
import weakref

from flask import Blueprint, Flask, Response, current_app, g, request

from .errors import ERROR_CODES

__all__ = ["Metrics", "init_app", "bp"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
OTHER = "other"

bp = Blueprint("metrics", __name__)


class Metrics:
    """Counters in shared memory, laid out once from the label values.

    Parameters
    ----------
    endpoints : list of str
        Flask endpoint names; requests matching no route count as ``"unmatched"``.
    statuses : list of int
        HTTP statuses counted individually; any other counts as ``"other"``.
    codes : list of str
        Error codes counted individually; any other counts as ``"other"``.
    """

    def __init__(self, endpoints: list[str], statuses: list[int], codes: list[str]) -> None:
        self.endpoints = [*endpoints, UNMATCHED]
        self.statuses = [*(str(s) for s in statuses), OTHER]
        self.codes = [*codes, OTHER]
        n_endpoints, n_statuses = len(self.endpoints), len(self.statuses)
        self._endpoint_index = {name: i for i, name in enumerate(self.endpoints)}
        self._status_index = {name: i for i, name in enumerate(self.statuses)}
        self._code_index = {name: i for i, name in enumerate(self.codes)}
        # Layout: requests[endpoint][status], buckets[endpoint][bucket..+Inf],
        # duration sums[endpoint], errors[code].
        self._requests = 0
        self._buckets = n_endpoints * n_statuses
        self._sums = self._buckets + n_endpoints * (len(BUCKETS) + 1)
        self._errors = self._sums + n_endpoints
        size = self._errors + len(self.codes)
        descriptor, path = tempfile.mkstemp(prefix="slant-metrics-")
        os.unlink(path)
        os.ftruncate(descriptor, size * 8)
        self._file = descriptor
        weakref.finalize(self, os.close, descriptor)
        self._map = mmap.mmap(descriptor, size * 8)
        self._values = memoryview(self._map).cast("d")
        self._lock = threading.Lock()

    def observe(self, endpoint: str | None, status: int, seconds: float,
                error_code: str | None = None) -> None:
        """Count one request."""
        e = self._endpoint_index.get(endpoint or UNMATCHED, self._endpoint_index[UNMATCHED])
        s = self._status_index.get(str(status), self._status_index[OTHER])
        bucket = next((i for i, le in enumerate(BUCKETS) if seconds <= le), len(BUCKETS))
        values, stride = self._values, len(BUCKETS) + 1
        with self._lock:
            fcntl.lockf(self._file, fcntl.LOCK_EX)
            try:
                values[self._requests + e * len(self.statuses) + s] += 1
                values[self._buckets + e * stride + bucket] += 1
                values[self._sums + e] += seconds
                if error_code is not None:
                    values[self._errors + self._code_index.get(error_code,
                                                               self._code_index[OTHER])] += 1
            finally:
                fcntl.lockf(self._file, fcntl.LOCK_UN)

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        values = self._values.tolist()
        stride = len(BUCKETS) + 1
        lines = [
            "# HELP slant_http_requests_total HTTP requests by Flask endpoint and status.",
            "# TYPE slant_http_requests_total counter",
        ]
        for e, endpoint in enumerate(self.endpoints):
            for s, status in enumerate(self.statuses):
                count = values[self._requests + e * len(self.statuses) + s]
                if count:
                    lines.append(f'slant_http_requests_total{{endpoint="{endpoint}",'
                                 f'status="{status}"}} {count:.0f}')
        lines += [
            "# HELP slant_http_request_duration_seconds Time spent in the app per request.",
            "# TYPE slant_http_request_duration_seconds histogram",
        ]
        for e, endpoint in enumerate(self.endpoints):
            counts = values[self._buckets + e * stride:self._buckets + (e + 1) * stride]
            total = sum(counts)
            if not total:
                continue
            cumulative = 0.0
            for le, count in zip([*map(str, BUCKETS), "+Inf"], counts, strict=True):
                cumulative += count
                lines.append(f'slant_http_request_duration_seconds_bucket{{endpoint="{endpoint}",'
                             f'le="{le}"}} {cumulative:.0f}')
            lines.append(f'slant_http_request_duration_seconds_sum{{endpoint="{endpoint}"}} '
                         f'{values[self._sums + e]:.6f}')
            lines.append(f'slant_http_request_duration_seconds_count{{endpoint="{endpoint}"}} '
                         f'{total:.0f}')
        lines += [
            "# HELP slant_http_errors_total Error responses by error code.",
            "# TYPE slant_http_errors_total counter",
        ]
        for c, code in enumerate(self.codes):
            count = values[self._errors + c]
            if count:
                lines.append(f'slant_http_errors_total{{code="{code}"}} {count:.0f}')
        return "\n".join(lines) + "\n"


def _start_timer() -> None:
    g.slant_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.pop("slant_started", None)
    if started is not None:
        endpoint = request.url_rule.endpoint if request.url_rule else None
        current_app.extensions["slant.metrics"].observe(
            endpoint, response.status_code, time.perf_counter() - started,
            g.pop("slant_error_code", None),
        )
    return response


@bp.get("/metrics")
def metrics():
    """Prometheus text format; totals over all workers forked from one master."""
    return Response(current_app.extensions["slant.metrics"].render(), content_type=CONTENT_TYPE)


def init_app(app: Flask) -> None:
    """Create the shared counters and the hooks that fill them; call after the blueprints."""
    app.register_blueprint(bp)
    endpoints = sorted({rule.endpoint for rule in app.url_map.iter_rules()})
    statuses = sorted({200, 304, *(status for status, _ in ERROR_CODES.values())})
    app.extensions["slant.metrics"] = Metrics(endpoints, statuses, list(ERROR_CODES))
    app.before_request(_start_timer)
    app.after_request(_record)
