"""Production serving with gunicorn (``slant serve``), never Flask's development server.

The app, and so the model, is created once in the gunicorn master; the workers are
forked from it (``preload_app``) and share the model's memory copy-on-write. SIGTERM
stops accepting connections and lets in-flight requests finish for up to
``graceful_timeout`` seconds. Each request is logged on stderr as one JSON object. A
client that goes silent while sending its request is answered 408 after
``client_timeout`` seconds, and one that stops reading its response is dropped after as
long, instead of holding a sync worker until the arbiter kills it, or a gthread worker's
thread for as long as the client likes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.http import errors as http_errors
from gunicorn.http.message import Request
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from .errors import INTERNAL_ERROR_MESSAGE, ClientTimeout, error_body

__all__ = ["JsonAccessLogger", "JsonErrorSyncWorker", "JsonErrorThreadWorker", "SlantServer",
           "check_address", "serve", "url_host"]


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


#: Set on a gunicorn request once its response is sent (see ``JsonErrorThreadWorker``).
ANSWERED = "slant_answered"

#: gunicorn's exceptions for requests it cannot parse -> (status, reason). The app never
#: sees these requests; for anything else gunicorn reports (the worker timeout, a bug)
#: see ``_JsonProtocolErrors.handle_error``.
_PROTOCOL_ERRORS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], int, str], ...] = (
    (http_errors.LimitRequestLine, 414, "URI Too Long"),
    (http_errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (http_errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (http_errors.ExpectationFailed, 417, "Expectation Failed"),
    ((http_errors.InvalidRequestLine, http_errors.InvalidRequestMethod,
      http_errors.InvalidHTTPVersion, http_errors.InvalidHeader, http_errors.InvalidHeaderName,
      http_errors.ObsoleteFolding, http_errors.InvalidSchemeHeaders,
      http_errors.InvalidChunkSize, http_errors.ChunkMissingTerminator,
      http_errors.InvalidChunkExtension, http_errors.InvalidH2CPreface),
     400, "Bad Request"),
)


def _protocol_error(exc: Exception) -> tuple[int, str] | None:
    for kinds, status, reason in _PROTOCOL_ERRORS:
        if isinstance(exc, kinds):
            return status, reason
    return None


class _JsonProtocolErrors:
    """Worker mixin: what gunicorn answers itself is answered in the API's one JSON error
    shape instead of gunicorn's HTML page. Malformed HTTP (a bad request line, oversized
    headers, a broken chunked body) gets ``bad_request`` for a 400 and ``http_error`` for
    the other statuses; a client silent for longer than the client timeout gets 408
    ``request_timeout``; a request cut off by the worker timeout gets 503 ``timeout``;
    any other failure outside the app 500 ``internal_error``."""

    def handle_error(self, req, client, addr, exc) -> None:
        addr = addr or ("", -1)  # unix socket
        if req is not None and getattr(req, ANSWERED, False):
            # The response has gone out: the error came after it, from draining the
            # unread body of a keep-alive request (a broken chunk the app never read). A
            # second reply would be taken as the answer to the client's next request, so
            # the connection just closes (the worker closes it when this returns).
            self.log.warning("Invalid request body from ip=%s after the response: %s",
                             addr[0], exc)
            return
        if isinstance(exc, ClientTimeout):
            status, reason, code = 408, "Request Timeout", "request_timeout"
            message = f"{exc} while it was sending its request"
            self.log.warning("Request from ip=%s timed out: %s", addr[0], exc)
        elif (known := _protocol_error(exc)) is not None:
            status, reason = known
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
            code = "bad_request" if status == 400 else "http_error"
            message = f"{reason}: {exc}"
        elif isinstance(exc, SystemExit):
            # The arbiter aborts a worker silent for --timeout seconds; the abort is a
            # SystemExit raised in the request's handler, which gunicorn reports here
            # before the worker exits.
            status, reason, code = 503, "Service Unavailable", "timeout"
            message = (f"the request took longer than the server's {self.cfg.timeout}-second "
                       "timeout")
            self.log.error("Request from ip=%s cut off by the worker timeout", addr[0])
        else:
            status, reason, code = 500, "Internal Server Error", "internal_error"
            message = INTERNAL_ERROR_MESSAGE
            self.log.exception("Error handling request from ip=%s", addr[0])
        body = json.dumps(error_body(code, message)).encode()
        # Log the request like any other. A header error carries the request whose line
        # was read (other errors' ``req`` attribute can be a plain string).
        req = req if req is not None else getattr(exc, "req", None)
        if isinstance(req, Request):
            try:
                environ = default_environ(req, client, self.cfg)
                environ["REMOTE_ADDR"] = addr[0]
                response = Response(req, client, self.cfg)
                response.status = f"{status} {reason}"
                response.sent = len(body)
                self.log.access(response, req, environ, timedelta(0))
            except Exception:  # a log line must never cost the client its answer
                self.log.exception("cannot log a request gunicorn answered")
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except Exception:
            self.log.debug("Failed to send error message.")


class _ClientSocket(socket.socket):
    """A client connection that waits at most ``client_timeout`` seconds for the client.

    gunicorn makes a connection blocking before it reads a request; here that means
    blocking with the timeout. While a request is being read, a read that times out
    raises :class:`~api.errors.ClientTimeout`, so that gunicorn hands the failure to
    ``handle_error`` (it treats an ``OSError`` as a broken connection and answers nothing).
    Once the request has been answered, or the connection is shut down to close it, reads
    time out as plain sockets' do: gunicorn's draining loops expect ``TimeoutError``. A
    write raises ``TimeoutError`` once the client has gone as long without reading enough
    to make room for more of the answer.
    """

    client_timeout: float | None = None
    reading_request = True

    @classmethod
    def wrap(cls, client: socket.socket, timeout: float) -> _ClientSocket:
        wrapped = cls(client.family, client.type, client.proto, client.detach())
        wrapped.client_timeout = timeout
        wrapped.settimeout(timeout)
        return wrapped

    def setblocking(self, flag: bool) -> None:
        if flag and self.client_timeout:
            self.settimeout(self.client_timeout)
        else:
            super().setblocking(flag)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:
            if not self.reading_request:
                raise
            raise ClientTimeout(self.gettimeout()) from None

    def sendall(self, data, flags: int = 0) -> None:
        # socket.sendall's timeout bounds the whole call, which would cut off a client
        # reading a large answer steadily but slowly; a send's bounds one wait for room.
        with memoryview(data) as view, view.cast("B") as remaining:
            while remaining:
                remaining = remaining[self.send(remaining, flags):]

    def shutdown(self, how: int) -> None:
        self.reading_request = False
        super().shutdown(how)


class _ClientTimeouts:
    """Worker mixin: client connections wait at most ``client_timeout`` seconds (from
    :class:`SlantServer`) for the client, whether it is sending its request or reading
    the answer.

    A client that connects and sends nothing (a browser may pre-connect) or stops
    halfway would otherwise hold a sync worker until the arbiter kills it after
    ``--timeout`` seconds (two such connections stall a two-worker server), and a gthread
    worker's thread for as long as the client keeps the connection open. Instead it gets
    408 ``request_timeout``. A client that stops reading its answer is dropped, with one
    warning in the log where gunicorn would log a socket error and its traceback.
    """

    def _client_socket(self, client: socket.socket) -> socket.socket:
        timeout = getattr(self.app, "client_timeout", None)
        if not timeout or isinstance(client, _ClientSocket):
            return client
        return _ClientSocket.wrap(client, timeout)

    def _dropped(self, addr, client: socket.socket) -> None:
        self.log.warning("Client at ip=%s stopped reading its response for %s seconds; "
                         "connection closed", (addr or ("",))[0], client.gettimeout())


class JsonErrorSyncWorker(_ClientTimeouts, _JsonProtocolErrors, SyncWorker):
    """gunicorn's ``sync`` worker with JSON protocol errors and a client timeout."""

    def handle(self, listener, client, addr) -> None:
        super().handle(listener, self._client_socket(client), addr)

    def handle_request(self, listener, req, client, addr) -> None:
        try:
            super().handle_request(listener, req, client, addr)
        except TimeoutError:
            # Reads of the request raise ClientTimeout, so this is a write.
            self._dropped(addr, client)
            raise StopIteration from None  # closes the connection quietly


class JsonErrorThreadWorker(_ClientTimeouts, _JsonProtocolErrors, ThreadWorker):
    """gunicorn's ``gthread`` worker with JSON protocol errors and a client timeout.

    It keeps connections alive, so after a response it discards the rest of the request's
    body; a request marked answered gets no second reply when that fails.
    """

    def enqueue_req(self, conn) -> None:
        # Called from the worker's main thread, for each request, while no thread holds
        # the connection (and before the poller sees the socket).
        conn.sock = self._client_socket(conn.sock)
        if isinstance(conn.sock, _ClientSocket):
            conn.sock.reading_request = True
        super().enqueue_req(conn)

    def handle_request(self, req, conn) -> bool:
        try:
            keepalive = super().handle_request(req, conn)
        except TimeoutError:
            # Reads of the request raise ClientTimeout, so this is a write.
            self._dropped(conn.client, conn.sock)
            return False
        finally:
            if isinstance(conn.sock, _ClientSocket):
                conn.sock.reading_request = False
        setattr(req, ANSWERED, True)  # it returns only once the response is sent
        return keepalive


class SlantServer(BaseApplication):
    """Gunicorn serving an already created Flask app.

    Parameters
    ----------
    app : Flask
        From :func:`api.create_app`, created before the workers fork.
    options : dict
        Gunicorn settings (``bind``, ``workers``, ``timeout``...).
    client_timeout : float, optional
        Seconds a worker waits for a client sending its request or reading the answer
        (``_ClientTimeouts``); None for no limit.
    """

    def __init__(self, app: Flask, options: dict[str, Any],
                 client_timeout: float | None = None) -> None:
        self.application = app
        self.options = options
        self.client_timeout = client_timeout
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def url_host(host: str) -> str:
    """``host`` as it goes in a URL or gunicorn's ``bind``: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def check_address(host: str, port: int) -> None:
    """Raise ``OSError`` if ``host:port`` cannot be listened on: in use, not an address
    of this machine, or a port the user may not bind. ``slant serve`` checks before it
    loads the model; gunicorn would only find out after, then retry for five seconds."""
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as gunicorn decides
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        probe.bind((host, port))


def serve(app: Flask, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          threads: int = 1, timeout: int = 30, graceful_timeout: int = 20,
          client_timeout: float | None = 5.0, access_log: bool = True,
          on_listening: Callable[[list[str]], None] | None = None) -> None:
    """Serve ``app`` with gunicorn until SIGTERM or SIGINT; returns after a clean stop.

    ``client_timeout``: seconds a worker waits for a client sending its request or
    reading the answer (None or 0 for no limit). ``on_listening`` is called once in the
    master with the URLs it listens on, as soon as they are bound: with port 0 they hold
    the port the system chose.
    """
    def when_ready(arbiter) -> None:
        if on_listening is not None:
            on_listening([str(listener) for listener in arbiter.LISTENERS])

    SlantServer(app, {
        "bind": f"{url_host(host)}:{port}",
        "when_ready": when_ready,
        "workers": workers,
        "threads": threads,
        "worker_class": JsonErrorThreadWorker if threads > 1 else JsonErrorSyncWorker,
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
        # gunicorn does not count what sendfile sends, so the access log's bytes would be 0
        # for the static files; they are small, and written like any other body instead.
        "sendfile": False,
    }, client_timeout=client_timeout or None).run()
