"""TLS and threading plumbing shared by both emulators.

simple-salesforce always speaks https, so the emulators serve TLS with a throwaway local CA
made by trustme (DESIGN.md decision 1). Clients trust it through the CA file written here.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import trustme
from werkzeug.serving import DechunkedInput, ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

# Bodiless responses (RFC 9110 6.4.1): no Content-Length is sent for them.
_NO_BODY = frozenset({204, 304})
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class _KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's handler with persistent HTTP/1.1 connections.

    werkzeug answers every request with ``Connection: close`` (and then reads whatever is
    left on the socket), so a client makes a TCP connection and a TLS handshake per request.
    This handler serves requests on one connection until the client closes it, says
    ``Connection: close``, or stays idle for `timeout` seconds: the response is buffered and
    always carries its Content-Length (none for HEAD bodies, 1xx, 204 and 304), and the
    request body is read to its end (Content-Length or chunked) before the next request."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds an idle connection is kept (and a socket read may take)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this Nagle's algorithm holds the
        # second until the client's delayed ACK of the first (tens of milliseconds).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # One log line per request would drown test and demo output.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        if not format.startswith("Request timed out"):  # an idle keep-alive connection
            super().log_error(format, *args)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body_in = environ["wsgi.input"]
        if not isinstance(body_in, DechunkedInput):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length, self.close_connection = 0, True
            body_in = environ["wsgi.input"] = LimitedStream(
                cast(IO[bytes], self.rfile), max(length, 0)
            )
        started: list[Any] = []
        out: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            started[:] = [status, headers]
            return out.append

        try:
            result = self.server.app(environ, start_response)
            try:
                out.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            traceback.print_exc()
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
            out[:] = [b"Internal Server Error"]
            self.close_connection = True
        # What the application did not read would be taken for the next request.
        if isinstance(body_in, LimitedStream):
            body_in.exhaust()
        else:
            while body_in.read(65536):
                pass
        status, headers = started
        code_str, _, reason = status.partition(" ")
        code = int(code_str)
        body = b"".join(out)
        self.send_response(code, reason)
        for key, value in headers:
            if key.lower() not in _HOP_BY_HOP:
                self.send_header(key, value)
        if self.command == "HEAD":
            length_hdr = next((v for k, v in headers if k.lower() == "content-length"), None)
            if length_hdr is not None:
                self.send_header("Content-Length", length_hdr)
        elif not (100 <= code < 200 or code in _NO_BODY):
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        self.wfile.flush()


class _Server(ThreadedWSGIServer):
    """Threads per connection; `server_close` also ends the kept-alive connections, so that
    a stopped emulator stops answering on connections its clients still hold."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            # The plain socket's shutdown: the handler's blocked TLS read sees end of file.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)


@dataclass
class LocalCA:
    """A local certificate authority and one server certificate for 127.0.0.1/localhost."""

    ca: trustme.CA = field(default_factory=trustme.CA)

    def __post_init__(self) -> None:
        self._cert = self.ca.issue_cert("127.0.0.1", "localhost", "::1")

    def write_ca(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.ca.cert_pem.write_to_path(str(path))
        return path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(ctx)
        return ctx


class RunningServer:
    """A WSGI app served over HTTPS from a daemon thread."""

    def __init__(self, app: Any, ca: LocalCA, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server: ThreadedWSGIServer = _Server(
            host, port, app, handler=_KeepAliveHandler, ssl_context=ca.server_context()
        )
        self.host = host
        self.port = self.server.server_port
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> RunningServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
