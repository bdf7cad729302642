"""A small stand-in of the NiFi 2.x REST API calls a deploy makes, on HttpStub.

It keeps process groups, one parameter context per group and the groups' services; its
asynchronous requests complete on the second poll and services enable on the second GET.
The real server is exercised by the e2e tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from http_stub import HttpStub, Request

API = "/nifi-api"


@dataclass
class Group:
    id: str
    name: str
    flow: dict[str, Any]
    version: int = 0
    position: tuple[str, str] = ("0", "0")
    state: str = "STOPPED"
    services: str = "DISABLED"
    service_polls: int = 0
    invalid: int = 0
    # Threads a stopped processor still runs: NiFi's stop returns before they finish.
    threads: int = 0


@dataclass
class NifiStub:
    server: HttpStub
    # The parameters every uploaded group's context gets: name -> (sensitive, value).
    parameters: dict[str, tuple[bool, str | None]] = field(default_factory=dict)
    token: str | None = None
    groups: dict[str, Group] = field(default_factory=dict)
    contexts: dict[str, dict[str, tuple[bool, str | None]]] = field(default_factory=dict)
    updates: list[dict[str, str | None]] = field(default_factory=list)
    polls: dict[str, int] = field(default_factory=dict)
    failure: str | None = None

    def __post_init__(self) -> None:
        routes = [
            ("POST", "/access/token", self.login),
            ("GET", "/flow/process-groups/root", self.root),
            ("POST", "/process-groups/root/process-groups/upload", self.upload),
            ("POST", "/process-groups/([^/]+)/replace-requests", self.replace),
            ("GET", "/process-groups/replace-requests/([^/]+)", self.poll),
            ("DELETE", "/process-groups/replace-requests/([^/]+)", self.delete),
            ("GET", "/process-groups/([^/]+)", self.group),
            ("GET", "/parameter-contexts/([^/]+)", self.context),
            ("POST", "/parameter-contexts/([^/]+)/update-requests", self.update),
            ("GET", "/parameter-contexts/[^/]+/update-requests/([^/]+)", self.poll),
            ("DELETE", "/parameter-contexts/[^/]+/update-requests/([^/]+)", self.delete),
            ("PUT", "/flow/process-groups/([^/]+)/controller-services", self.enable),
            ("GET", "/flow/process-groups/([^/]+)/controller-services", self.services),
            ("GET", "/flow/process-groups/([^/]+)/status", self.status),
            ("PUT", "/flow/process-groups/([^/]+)", self.schedule),
        ]
        for method, path, handler in routes:
            self.server.route(method, API + path, self.checked(handler))

    def checked(self, handler: Any) -> Any:
        def answer(request: Request) -> tuple[int, Any]:
            login = request.path == f"{API}/access/token"
            if self.token and not login:
                if request.headers.get("authorization") != f"Bearer {self.token}":
                    return 401, "Unauthorized"
            return handler(request)

        return answer

    def login(self, request: Request) -> tuple[int, Any]:
        form = dict(p.split("=", 1) for p in request.body.decode().split("&"))
        if (form.get("username"), form.get("password")) != ("admin", "s3cret"):
            return 409, "The supplied username and password are not valid."
        self.token = "token-123"
        return 201, self.token

    def entity(self, g: Group) -> dict[str, Any]:
        return {"id": g.id, "revision": {"version": g.version}, "component": {"name": g.name}}

    def root(self, request: Request) -> tuple[int, Any]:
        groups = [self.entity(g) for g in self.groups.values()]
        return 200, {"processGroupFlow": {"id": "root", "flow": {"processGroups": groups}}}

    def upload(self, request: Request) -> tuple[int, Any]:
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        parts: dict[str, bytes] = {}
        for part in request.body.split(b"--" + boundary)[1:-1]:
            head, _, body = part.partition(b"\r\n\r\n")
            name = re.search(rb'name="([^"]+)"', head)
            assert name
            parts[name.group(1).decode()] = body[:-2]
        gid = f"g{len(self.groups) + 1}"
        self.groups[gid] = Group(
            gid,
            parts["groupName"].decode(),
            json.loads(parts["file"]),
            position=(parts["positionX"].decode(), parts["positionY"].decode()),
        )
        self.contexts[gid] = dict(self.parameters)
        return 201, self.entity(self.groups[gid])

    def replace(self, request: Request) -> tuple[int, Any]:
        g = self.groups[request.params[0]]
        body = request.json()
        if g.state == "RUNNING" or g.services == "ENABLED":
            # As NiFi 2.8: a replace refuses to change enabled services of a running flow.
            return 409, "stop the flow and disable its services first"
        if g.threads:
            # As NiFi 2.8, whose replace request then fails: "Cannot set AnnotationData on
            # ValidateRecord[...] while processor is running".
            return 409, "a processor is still running"
        if body["processGroupRevision"]["version"] != g.version:
            return 409, "stale revision"
        g.flow, g.version = body["versionedFlowSnapshot"], g.version + 1
        self.polls["r1"] = 0
        return 201, {"request": {"requestId": "r1", "complete": False}}

    def poll(self, request: Request) -> tuple[int, Any]:
        rid = request.params[0]
        self.polls[rid] += 1
        done = self.polls[rid] >= 2
        return 200, {"request": {"complete": done, "failureReason": self.failure if done else None}}

    def delete(self, request: Request) -> tuple[int, Any]:
        self.polls.pop(request.params[0])
        return 200, {"request": {"complete": True}}

    def group(self, request: Request) -> tuple[int, Any]:
        g = self.groups[request.params[0]]
        ref = {"id": g.id} if self.contexts.get(g.id) is not None else None
        running = 3 if g.state == "RUNNING" else 0
        counts = {"runningCount": running - g.invalid, "invalidCount": g.invalid}
        return 200, {**self.entity(g), "component": {"parameterContext": ref}, **counts}

    def context(self, request: Request) -> tuple[int, Any]:
        ctx = request.params[0]
        parameters = [
            {"parameter": {"name": n, "sensitive": s, "value": "********" if s and v else v}}
            for n, (s, v) in self.contexts[ctx].items()
        ]
        return 200, {
            "id": ctx,
            "revision": {"version": 7},
            "component": {"name": f"context-{ctx}", "parameters": parameters},
        }

    def update(self, request: Request) -> tuple[int, Any]:
        ctx, body = request.params[0], request.json()
        assert body["revision"]["version"] == 7
        values = {
            e["parameter"]["name"]: e["parameter"]["value"] for e in body["component"]["parameters"]
        }
        for name, value in values.items():
            self.contexts[ctx][name] = (self.contexts[ctx][name][0], value)
        self.updates.append(values)
        self.polls["u1"] = 0
        return 200, {"request": {"requestId": "u1", "complete": False}}

    def enable(self, request: Request) -> tuple[int, Any]:
        wanted = request.json()["state"]
        self.groups[request.params[0]].services = "ENABLING" if wanted == "ENABLED" else "DISABLING"
        return 200, {}

    def services(self, request: Request) -> tuple[int, Any]:
        g = self.groups[request.params[0]]
        g.service_polls += 1
        if g.services in ("ENABLING", "DISABLING") and g.service_polls >= 2:
            g.services = g.services.replace("ING", "ED")
        service = {"component": {"name": "Kafka", "state": g.services}}
        return 200, {"controllerServices": [service]}

    def schedule(self, request: Request) -> tuple[int, Any]:
        g = self.groups[request.params[0]]
        state = request.json()["state"]
        assert state != "RUNNING" or g.services == "ENABLED", "started before its services"
        if g.state == "RUNNING" and state == "STOPPED":
            g.threads = 2
        g.state = state
        return 200, {}

    def status(self, request: Request) -> tuple[int, Any]:
        """A processor in a child group: Running while the group runs or its threads finish
        (one fewer at every status GET)."""
        g = self.groups[request.params[0]]
        running = g.state == "RUNNING"
        snapshot = {
            "id": "p1",
            "name": "ValidateRecord",
            "runStatus": "Running" if running else "Stopped",
            "activeThreadCount": g.threads,
        }
        if not running and g.threads:
            g.threads -= 1
        child = {"processorStatusSnapshots": [{"processorStatusSnapshot": snapshot}]}
        aggregate = {
            "processorStatusSnapshots": [],
            "processGroupStatusSnapshots": [{"processGroupStatusSnapshot": child}],
        }
        return 200, {"processGroupStatus": {"aggregateSnapshot": aggregate}}
