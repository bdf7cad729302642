"""Deploys a flow definition to NiFi 2.x over its REST API.

deploy() uploads a flow definition as a process group of its own on the root canvas, or
replaces the flow of the group of that name when it exists (NiFi keeps the processors'
state when their ids stay the same, and pipegen's ids are stable). parameter_values()
decides which parameters of the group's context to set; Nifi.update_parameters() sets
them; start() enables the group's controller services, starts it and fails when a
component is invalid.

Why a client of our own and not nipyapi (1.8.1 speaks NiFi 2.x): a deploy needs about ten
REST calls, and nipyapi
- has no replace-if-exists: the deploy would still have to find the group, post the
  replace request and poll it, which is most of this module;
- configures itself globally (nipyapi.config, one host and one token per process), while
  an Airflow worker runs tasks of several pipelines and connections side by side;
- pulls PyYAML, pysocks and setuptools into the Airflow environment, where every package
  is pinned against Airflow's constraints; this module needs only requests, which Airflow
  has.
The HTTP layer is Nifi.call(): one requests.Session, one method, every failure an error
with NiFi's answer. The tests run it against a small local HTTP server.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests


class NifiError(RuntimeError):
    """NiFi answered with an error, or a request of it failed."""


@dataclass(frozen=True)
class Deployed:
    group_id: str
    # False when the group existed and its flow was replaced.
    created: bool


class Nifi:
    """The NiFi REST API at base_url (without /nifi-api), through one requests session."""

    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        *,
        timeout: float = 30.0,
        wait: float = 300.0,
        poll: float = 1.0,
    ) -> None:
        self.api = base_url.rstrip("/") + "/nifi-api"
        self.session = session or requests.Session()
        self.timeout = timeout
        # How long to wait for asynchronous requests and enabling services, and how often to
        # ask at most (first after 0.1 s, then twice as long each time up to poll).
        self.wait = wait
        self.poll = poll

    def _pause(self, attempt: int) -> None:
        time.sleep(min(self.poll, 0.1 * 2**attempt))

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request to path (below /nifi-api); NifiError on any status but 2xx."""
        url = f"{self.api}/{path.lstrip('/')}"
        response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        if not response.ok:
            raise NifiError(
                f"{method} {url} answered {response.status_code}: {response.text[:2000]}"
            )
        return response.json() if response.content else {}

    def login(self, username: str, password: str) -> str:
        """Get an access token (NiFi with a login) for every later call; returns it."""
        response = self.session.post(
            f"{self.api}/access/token",
            data={"username": username, "password": password},
            timeout=self.timeout,
        )
        if not response.ok:
            raise NifiError(f"NiFi refused the login of {username}: {response.status_code}")
        token = response.text
        self.session.headers["Authorization"] = f"Bearer {token}"
        return token

    def wait_for_request(self, path: str) -> dict[str, Any]:
        """Poll one of NiFi's asynchronous requests until it completes, then delete it."""
        deadline = time.monotonic() + self.wait
        try:
            for attempt in itertools.count():
                request: dict[str, Any] = self.call("GET", path)["request"]
                if request.get("complete"):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"NiFi request {path} not complete after {self.wait} s")
                self._pause(attempt)
        finally:
            self.session.delete(f"{self.api}/{path}", timeout=self.timeout)
        if request.get("failureReason"):
            raise NifiError(f"NiFi request {path} failed: {request['failureReason']}")
        return request

    def root(self) -> dict[str, Any]:
        """The root process group's flow (its child groups with their revisions)."""
        flow: dict[str, Any] = self.call("GET", "flow/process-groups/root")["processGroupFlow"]
        return flow

    def upload(
        self,
        parent_id: str,
        name: str,
        flow: bytes,
        position: tuple[int, int],
        file_name: str = "flow.json",
    ) -> str:
        """Upload a flow definition as a new child group of parent_id; returns its id."""
        form = {
            "groupName": name,
            "positionX": str(position[0]),
            "positionY": str(position[1]),
            "clientId": str(uuid.uuid4()),
        }
        created = self.call(
            "POST",
            f"process-groups/{parent_id}/process-groups/upload",
            data=form,
            files={"file": (file_name, flow, "application/json")},
        )
        return str(created["id"])

    def replace(self, group: dict[str, Any], flow: bytes) -> None:
        """Replace the flow of an existing group (an entity of root()) with a definition.

        A replace request changes every controller service whose scheduledState in the
        definition is ENABLED and refuses to change one that is enabled (NiFi 2.8): stop the
        group and disable its services first (stop()); the revision is read afresh here.
        """
        revision = self.call("GET", f"process-groups/{group['id']}")["revision"]
        body = {
            "processGroupRevision": {
                **revision,
                "clientId": str(uuid.uuid4()),
            },
            "versionedFlowSnapshot": json.loads(flow),
        }
        started = self.call("POST", f"process-groups/{group['id']}/replace-requests", json=body)
        request_id = started["request"]["requestId"]
        self.wait_for_request(f"process-groups/replace-requests/{request_id}")

    def parameter_context(self, group_id: str) -> dict[str, Any] | None:
        """The parameter context the process group uses, if any."""
        group = self.call("GET", f"process-groups/{group_id}")
        ref = group["component"].get("parameterContext")
        return self.call("GET", f"parameter-contexts/{ref['id']}") if ref else None

    def update_parameters(
        self, context: dict[str, Any], values: Iterable[tuple[dict[str, Any], str]]
    ) -> None:
        """Set parameters of a context: [(parameter, value)]; NiFi restarts what uses them."""
        ctx = context["id"]
        parameters = [
            {
                "parameter": {
                    "name": parameter["name"],
                    "sensitive": bool(parameter.get("sensitive")),
                    "description": parameter.get("description"),
                    "value": value,
                }
            }
            for parameter, value in values
        ]
        body = {
            "id": ctx,
            "revision": {**context["revision"], "clientId": str(uuid.uuid4())},
            "component": {"id": ctx, "parameters": parameters},
        }
        started = self.call("POST", f"parameter-contexts/{ctx}/update-requests", json=body)
        request_id = started["request"]["requestId"]
        self.wait_for_request(f"parameter-contexts/{ctx}/update-requests/{request_id}")

    def wait_for_services(self, group_id: str, transient: str) -> None:
        """Wait while any controller service of the group (or below) is in state `transient`."""
        path = f"flow/process-groups/{group_id}/controller-services"
        query = {"includeAncestorGroups": "false", "includeDescendantGroups": "true"}
        deadline = time.monotonic() + self.wait
        for attempt in itertools.count():
            services = self.call("GET", path, params=query)["controllerServices"]
            waiting = [
                s["component"]["name"] for s in services if s["component"]["state"] == transient
            ]
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"controller services still {transient.lower()}: {waiting}")
            self._pause(attempt)

    def enable_services(self, group_id: str) -> None:
        """Enable the group's controller services and wait until none is enabling."""
        path = f"flow/process-groups/{group_id}/controller-services"
        self.call("PUT", path, json={"id": group_id, "state": "ENABLED"})
        self.wait_for_services(group_id, "ENABLING")

    def still_running(self, group_id: str) -> list[str]:
        """The processors of the group (and below) that run or still finish a task."""
        status = self.call(
            "GET", f"flow/process-groups/{group_id}/status", params={"recursive": "true"}
        )
        names: list[str] = []

        def walk(snapshot: dict[str, Any]) -> None:
            for entry in snapshot.get("processorStatusSnapshots", []):
                p = entry["processorStatusSnapshot"]
                if p.get("runStatus") == "Running" or int(p.get("activeThreadCount") or 0) > 0:
                    names.append(str(p.get("name") or p.get("id")))
            for entry in snapshot.get("processGroupStatusSnapshots", []):
                walk(entry["processGroupStatusSnapshot"])

        walk(status["processGroupStatus"]["aggregateSnapshot"])
        return names

    def stop(self, group_id: str) -> None:
        """Stop the group's processors, wait until none runs a task, and disable its controller
        services (state is kept). NiFi's stop returns before the processors' threads end, and
        a replace then fails ("Cannot set AnnotationData on ... while processor is running")."""
        deadline = time.monotonic() + self.wait
        for attempt in itertools.count():
            # Again each time: a processor that was starting when the group stopped may run.
            self.call(
                "PUT",
                f"flow/process-groups/{group_id}",
                json={"id": group_id, "state": "STOPPED"},
            )
            running = self.still_running(group_id)
            if not running:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"processors still running after the stop: {running}")
            self._pause(attempt)
        path = f"flow/process-groups/{group_id}/controller-services"
        for attempt in itertools.count():
            # 409 while a stopped processor still finishes a task that uses a service.
            response = self.session.put(
                f"{self.api}/{path}",
                json={"id": group_id, "state": "DISABLED"},
                timeout=self.timeout,
            )
            if response.ok:
                break
            if response.status_code != 409 or time.monotonic() > deadline:
                raise NifiError(
                    f"PUT {self.api}/{path} answered {response.status_code}: {response.text[:2000]}"
                )
            self._pause(attempt)
        self.wait_for_services(group_id, "DISABLING")

    def start(self, group_id: str) -> dict[str, int]:
        """Start every component of the group; returns its running/stopped/invalid counts."""
        self.call(
            "PUT",
            f"flow/process-groups/{group_id}",
            json={"id": group_id, "state": "RUNNING"},
        )
        group = self.call("GET", f"process-groups/{group_id}")
        return {k: int(group.get(k, 0)) for k in ("runningCount", "stoppedCount", "invalidCount")}


def unset_parameters(flow: dict[str, Any], context: dict[str, Any] | None) -> list[str]:
    """The flow definition's parameters with a value neither in the definition nor in NiFi's
    context (which a replace keeps): each needs a value from elsewhere."""
    parameters = (context or {}).get("component", {}).get("parameters", [])
    current = {entry["parameter"]["name"]: entry["parameter"].get("value") for entry in parameters}
    names = []
    for definition in flow.get("parameterContexts", {}).values():
        for parameter in definition.get("parameters", []):
            name = parameter["name"]
            if parameter.get("value") is None and current.get(name) is None:
                if not parameter.get("provided"):
                    names.append(name)
    return names


def deploy(
    nifi: Nifi,
    name: str,
    flow: Path,
    position: tuple[int, int],
    value_of: Callable[[str], str | None] = lambda name: None,
) -> Deployed:
    """Upload flow as the root canvas's process group `name`, or replace that group's flow.

    Before a running flow is replaced, every parameter the new definition leaves without a
    value must have one from value_of: else NifiError, and nothing that runs is touched.
    """
    definition = flow.read_bytes()
    root = nifi.root()
    groups = [g for g in root["flow"]["processGroups"] if g["component"]["name"] == name]
    if len(groups) > 1:
        raise NifiError(f"{len(groups)} process groups named {name} on the root canvas")
    if groups:
        context = nifi.parameter_context(str(groups[0]["id"]))
        unset = unset_parameters(json.loads(definition), context)
        missing = [n for n in unset if value_of(n) is None]
        if missing:
            raise NifiError(f"NiFi parameters without a value: set the Airflow variables {missing}")
        nifi.stop(str(groups[0]["id"]))
        nifi.replace(groups[0], definition)
        print(f"replaced the flow of process group {name} ({groups[0]['id']})")
        return Deployed(group_id=str(groups[0]["id"]), created=False)
    group_id = nifi.upload(root["id"], name, definition, position, flow.name)
    print(f"uploaded the flow as process group {name} ({group_id})")
    return Deployed(group_id=group_id, created=True)


def parameter_values(
    context: dict[str, Any] | None,
    value_of: Callable[[str], str | None],
    *,
    every: bool,
) -> tuple[list[tuple[dict[str, Any], str]], list[str]]:
    """Which parameters of a context to set: ([(parameter, value)], [names without a value]).

    value_of(name) is the value a parameter should have (None: no value to give). A
    parameter with a value keeps it unless value_of says otherwise; a sensitive value
    cannot be read back, so a sensitive parameter with a value is set again only when
    `every` (a new upload, or a rotation of secrets). Parameters provided by a parameter
    provider are never set.
    """
    values: list[tuple[dict[str, Any], str]] = []
    missing: list[str] = []
    for entry in (context or {}).get("component", {}).get("parameters", []):
        parameter = entry["parameter"]
        name, current = parameter["name"], parameter.get("value")
        sensitive = bool(parameter.get("sensitive"))
        if parameter.get("provided") or (sensitive and current is not None and not every):
            continue
        value = value_of(name)
        if value is None:
            if current is None:
                missing.append(name)
            continue
        if sensitive or value != current:
            values.append((parameter, value))
    return values, missing


def start(nifi: Nifi, group_id: str, name: str) -> dict[str, int]:
    """Enable the group's controller services, then start it; NifiError if any is invalid."""
    nifi.enable_services(group_id)
    counts = nifi.start(group_id)
    print(f"process group {name} ({group_id}): {counts}")
    if counts["invalidCount"]:
        raise NifiError(
            f"{counts['invalidCount']} component(s) of {name} are invalid and did not start"
        )
    return counts
