"""Production serving with gunicorn (``slant serve``), never Flask's development server.

The app, and so the model, is created once in the gunicorn master; the workers are
forked from it (``preload_app``) and share the model's memory copy-on-write. SIGTERM
stops accepting connections and lets in-flight requests finish for up to
``graceful_timeout`` seconds. Each request is logged on stderr as one JSON object.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

__all__ = ["JsonAccessLogger", "SlantServer", "serve"]


class JsonAccessLogger(Logger):
    """Gunicorn's logger with one JSON object per request as the access log line.

    Fields: ``time``, ``method``, ``path`` (no query string: it may hold text),
    ``status``, ``duration_ms``, ``bytes`` (response body), ``remote``, ``pid``.
    ``accesslog = "-"`` writes to stderr, like the error log.
    """

    access_fmt = "%(message)s"

    def setup(self, cfg) -> None:
        super().setup(cfg)
        if cfg.accesslog == "-":
            for handler in self.access_log.handlers:
                if getattr(handler, "_gunicorn", False) and isinstance(handler,
                                                                        logging.StreamHandler):
                    handler.setStream(sys.stderr)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status) if str(status).isdigit() else status,
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "bytes": getattr(resp, "sent", None),
            "remote": environ.get("REMOTE_ADDR"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(record))
        except Exception:  # a log line must never break a response
            self.exception("cannot write the access log")


def exit_without_finalizing(arbiter, worker) -> None:
    """Gunicorn ``worker_exit`` hook: a worker that stopped cleanly skips finalization.

    Tearing down the preloaded modules costs a worker a second or more of CPU on a busy
    machine, delays shutdown, and writes to pages it shares copy-on-write with the
    master; nothing in them needs it. Forked ``multiprocessing`` children end the same
    way (``os._exit``). A worker that failed exits normally, with its status.
    """
    if worker.booted and not worker.alive:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class SlantServer(BaseApplication):
    """Gunicorn serving an already created Flask app.

    Parameters
    ----------
    app : Flask
        From :func:`api.create_app`, created before the workers fork.
    options : dict
        Gunicorn settings (``bind``, ``workers``, ``timeout``...).
    """

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve(app: Flask, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          threads: int = 1, timeout: int = 30, graceful_timeout: int = 20,
          access_log: bool = True) -> None:
    """Serve ``app`` with gunicorn until SIGTERM or SIGINT; returns after a clean stop."""
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    SlantServer(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "preload_app": True,
        "timeout": timeout,
        "graceful_timeout": graceful_timeout,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "logger_class": JsonAccessLogger,
        "proc_name": "slant",
        "worker_exit": exit_without_finalizing,
        # One control socket per user would collide between servers on one machine.
        "control_socket_disable": True,
    }).run()
