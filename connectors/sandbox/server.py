"""TLS and threading plumbing shared by both emulators.

simple-salesforce always speaks https, so the emulators serve TLS with a throwaway local CA
made by trustme (DESIGN.md decision 1). Clients trust it through the CA file written here.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    # Keep-alive: clients reuse one TLS connection instead of a handshake per request.
    protocol_version = "HTTP/1.1"

    # One log line per request would drown test and demo output.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


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
        self.server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, ssl_context=ca.server_context(),
            request_handler=_QuietHandler,
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
