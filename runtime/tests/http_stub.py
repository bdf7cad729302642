"""A small local HTTP server for the clients' tests: routes answered by functions.

    with HttpStub() as server:
        server.route("GET", r"/subjects", lambda request: (200, ["a"]))
        ... server.url ... server.requests

A route's function gets the Request and returns (status, body): a dict or list is sent as
JSON, a str as text, None as no content. Unrouted requests answer 404 and are recorded in
`unexpected`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    # The groups of the route's pattern.
    params: tuple[str, ...] = ()

    def json(self) -> Any:
        return json.loads(self.body)


Answer = tuple[int, Any]
Handler = Callable[[Request], Answer]


@dataclass
class HttpStub:
    routes: list[tuple[str, re.Pattern[str], Handler]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern + "$"), handler))

    def calls(self) -> list[str]:
        """Every request as "METHOD /path"."""
        return [f"{r.method} {r.path}" for r in self.requests]

    def answer(self, request: Request) -> Answer:
        self.requests.append(request)
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.params = match.groups()
                return handler(request)
        self.unexpected.append(f"{request.method} {request.path}")
        return 404, {"error_code": 404, "message": "not routed"}

    def __enter__(self) -> HttpStub:
        stub = self

        class Handle(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                status, body = stub.answer(request)
                if body is None:
                    data, kind = b"", "text/plain"
                elif isinstance(body, str):
                    data, kind = body.encode(), "text/plain"
                else:
                    data, kind = json.dumps(body).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
