"""The JSON access log: one line per request on stdout, with the client address anonymised."""

from __future__ import annotations

import ipaddress
import logging
import sys
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

import orjson

from .errors import REQUEST_ID_ENV, new_request_id

ACCESS_LOGGER = "quartiersatlas.access"


class _StdoutHandler(logging.Handler):
    """Writes to the current sys.stdout (not the one at creation: gunicorn and pytest swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # noqa: BLE001 - logging must never break a response
            self.handleError(record)


def access_logger() -> logging.Logger:
    """The access logger, writing to stdout only (set up once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        logger.addHandler(_StdoutHandler())
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def anonymise_ip(address: str | None) -> str:
    """The client address truncated (GDPR): IPv4 to /24, IPv6 to /48.

    >>> anonymise_ip("203.0.113.77"), anonymise_ip("2001:db8:abcd:12::1"), anonymise_ip(None)
    ('203.0.113.0', '2001:db8:abcd::', '')
    """
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


class AccessLog:
    """WSGI middleware: one JSON line per request after its body is sent (bytes as sent, i.e. after compression)."""

    def __init__(self, app, logger: logging.Logger):
        self.app, self.logger = app, logger

    def __call__(self, environ: dict, start_response):
        t0 = time.perf_counter()
        environ.setdefault(REQUEST_ID_ENV, new_request_id(environ))
        seen: dict[str, Any] = {}

        def _start(status: str, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        body = self.app(environ, _start)
        return _LoggedBody(body, lambda sent: self._log(environ, seen.get("status", 0), sent, t0))

    def _log(self, environ: dict, status: int, sent: int, t0: float) -> None:
        line = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "status": status,
            "bytes": sent,
            "request_bytes": int(environ.get("CONTENT_LENGTH") or 0),
            "duration_ms": round((time.perf_counter() - t0) * 1000, 1),
            "client": anonymise_ip(environ.get("REMOTE_ADDR")),
            "request_id": environ.get(REQUEST_ID_ENV, ""),
        }
        self.logger.info(orjson.dumps(line).decode())


class _LoggedBody:
    """A response body that counts the bytes it yields and calls `done(sent)` when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]):
        self.body, self.done, self.sent = body, done, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done(self.sent)
