"""The NiFi deploy client against a small local stand-in of NiFi's REST API (nifi_stub.py),
and the choice of parameters to set (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_stub import HttpStub
from nifi_stub import NifiStub

from pipegen_runtime import nifi
from pipegen_runtime.nifi import Nifi, NifiError

FLOW = {"flowContents": {"name": "shop", "processors": []}, "parameterContexts": {}}


@pytest.fixture
def stub() -> Iterator[NifiStub]:
    with HttpStub() as server:
        yield NifiStub(server)
        assert server.unexpected == []


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    file = tmp_path / "shop.flow.json"
    file.write_text(json.dumps(FLOW), encoding="utf-8")
    return file


def client(stub: NifiStub) -> Nifi:
    return Nifi(stub.server.url, wait=5, poll=0.01)


def test_a_first_deploy_uploads_the_flow_as_a_group(stub: NifiStub, flow: Path) -> None:
    deployed = nifi.deploy(client(stub), "shop", flow, (900, 500))
    assert deployed == nifi.Deployed(group_id="g1", created=True)
    group = stub.groups["g1"]
    assert (group.name, group.flow, group.position) == ("shop", FLOW, ("900", "500"))
    upload = stub.server.requests[-1]
    assert b'filename="shop.flow.json"' in upload.body
    assert b'name="clientId"' in upload.body


def test_a_second_deploy_replaces_the_flow_and_deletes_the_finished_request(
    stub: NifiStub, flow: Path
) -> None:
    nifi.deploy(client(stub), "shop", flow, (0, 0))
    flow.write_text(json.dumps({**FLOW, "changed": True}), encoding="utf-8")
    deployed = nifi.deploy(client(stub), "shop", flow, (0, 0))
    assert deployed == nifi.Deployed(group_id="g1", created=False)
    assert stub.groups["g1"].flow == {**FLOW, "changed": True}
    assert stub.server.calls()[-4:] == [
        "POST /nifi-api/process-groups/g1/replace-requests",
        "GET /nifi-api/process-groups/replace-requests/r1",
        "GET /nifi-api/process-groups/replace-requests/r1",
        "DELETE /nifi-api/process-groups/replace-requests/r1",
    ]
    assert stub.polls == {}


def test_a_failed_request_is_an_error_and_still_deleted(stub: NifiStub, flow: Path) -> None:
    nifi.deploy(client(stub), "shop", flow, (0, 0))
    stub.failure = "component is running"
    with pytest.raises(NifiError, match="failed: component is running"):
        nifi.deploy(client(stub), "shop", flow, (0, 0))
    assert stub.polls == {}


def test_two_groups_of_the_name_are_refused(stub: NifiStub, flow: Path) -> None:
    nifi.deploy(client(stub), "shop", flow, (0, 0))
    nifi.Nifi.upload(client(stub), "root", "shop", flow.read_bytes(), (0, 0))
    with pytest.raises(NifiError, match="2 process groups named shop on the root canvas"):
        nifi.deploy(client(stub), "shop", flow, (0, 0))


def test_an_error_status_carries_nifis_answer(stub: NifiStub) -> None:
    stub.server.route("GET", "/nifi-api/busy", lambda request: (409, "the group is running"))
    with pytest.raises(NifiError) as error:
        client(stub).call("GET", "busy")
    assert (
        str(error.value)
        == f"GET {stub.server.url}/nifi-api/busy answered 409: the group is running"
    )


def test_a_login_puts_the_token_on_every_later_call(stub: NifiStub, flow: Path) -> None:
    nifi_client = client(stub)
    with pytest.raises(NifiError, match="refused the login of admin: 409"):
        nifi_client.login("admin", "wrong")
    assert nifi_client.login("admin", "s3cret") == "token-123"
    assert nifi.deploy(nifi_client, "shop", flow, (0, 0)).created
    with pytest.raises(NifiError, match="answered 401"):
        client(stub).root()


def test_parameters_are_updated_and_the_request_awaited(stub: NifiStub, flow: Path) -> None:
    stub.parameters = {"A": (False, None), "B": (True, None)}
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    context = nifi_client.parameter_context(group_id)
    assert context is not None
    values, missing = nifi.parameter_values(context, {"A": "a", "B": "b"}.get, every=True)
    assert missing == []
    nifi_client.update_parameters(context, values)
    assert stub.updates == [{"A": "a", "B": "b"}]
    assert stub.contexts[group_id] == {"A": (False, "a"), "B": (True, "b")}
    assert stub.polls == {}


def test_a_group_without_a_context(stub: NifiStub, flow: Path) -> None:
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    stub.contexts[group_id] = None  # type: ignore[assignment]
    assert nifi_client.parameter_context(group_id) is None


def test_start_enables_the_services_first_and_waits_for_them(stub: NifiStub, flow: Path) -> None:
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    counts = nifi.start(nifi_client, group_id, "shop")
    assert counts == {"runningCount": 3, "stoppedCount": 0, "invalidCount": 0}
    assert stub.groups[group_id].service_polls == 2
    assert stub.groups[group_id].state == "RUNNING"


def test_an_invalid_component_fails_the_start(stub: NifiStub, flow: Path) -> None:
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    stub.groups[group_id].invalid = 2
    with pytest.raises(NifiError, match="2 component\\(s\\) of shop are invalid"):
        nifi.start(nifi_client, group_id, "shop")


def test_services_that_never_enable_time_out(stub: NifiStub, flow: Path) -> None:
    nifi_client = Nifi(stub.server.url, wait=0.05, poll=0.01)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    stub.groups[group_id].service_polls = -1_000_000
    with pytest.raises(TimeoutError, match=r"controller services still enabling: \['Kafka'\]"):
        nifi_client.enable_services(group_id)


# --- which parameters to set (pure) ---------------------------------------------------------


def context(*parameters: dict[str, Any]) -> dict[str, Any]:
    return {"component": {"parameters": [{"parameter": p} for p in parameters]}}


EMPTY = {"name": "EMPTY", "value": None}
SAME = {"name": "SAME", "value": "v"}
OTHER = {"name": "OTHER", "value": "old"}
SECRET_SET = {"name": "SECRET_SET", "sensitive": True, "value": "********"}
SECRET_EMPTY = {"name": "SECRET_EMPTY", "sensitive": True, "value": None}
PROVIDED = {"name": "PROVIDED", "provided": True, "value": None}
VALUES = {"EMPTY": "e", "SAME": "v", "OTHER": "new", "SECRET_SET": "s1", "SECRET_EMPTY": "s2"}

CASES = [
    # (what, parameters, every, values set, missing)
    ("an empty one is set", [EMPTY], False, ["EMPTY=e"], []),
    ("an equal value is not set again", [SAME], False, [], []),
    ("a different value is set", [OTHER], False, ["OTHER=new"], []),
    ("a set secret is kept", [SECRET_SET], False, [], []),
    ("a set secret is set again when every", [SECRET_SET], True, ["SECRET_SET=s1"], []),
    ("an empty secret is set", [SECRET_EMPTY], False, ["SECRET_EMPTY=s2"], []),
    ("a provided one is never set", [PROVIDED], True, [], []),
    ("an empty one without a value is missing", [{"name": "X", "value": None}], True, [], ["X"]),
    ("one with a value but no new value keeps it", [{"name": "X", "value": "x"}], True, [], []),
    (
        "a secret without a value is missing only when empty",
        [{**SECRET_EMPTY, "name": "S"}, {**SECRET_SET, "name": "T"}],
        True,
        [],
        ["S"],
    ),
]


@pytest.mark.parametrize(("what", "parameters", "every", "want", "missing"), CASES)
def test_parameter_values(
    what: str, parameters: list[dict[str, Any]], every: bool, want: list[str], missing: list[str]
) -> None:
    values, absent = nifi.parameter_values(context(*parameters), VALUES.get, every=every)
    assert [f"{p['name']}={v}" for p, v in values] == want
    assert absent == missing


def test_no_context_no_parameters() -> None:
    assert nifi.parameter_values(None, VALUES.get, every=True) == ([], [])


def test_a_redeploy_stops_the_flow_and_disables_its_services_before_the_replace(
    stub: NifiStub, flow: Path
) -> None:
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    nifi.start(nifi_client, group_id, "shop")
    # The stub refuses a replace of a running flow with enabled services, as NiFi 2.8 does.
    again = nifi.deploy(nifi_client, "shop", flow, (0, 0))
    assert again == nifi.Deployed(group_id=group_id, created=False)
    assert stub.groups[group_id].state == "STOPPED"
    assert stub.groups[group_id].services == "DISABLED"


def test_a_redeploy_with_a_parameter_nothing_gives_touches_nothing(
    stub: NifiStub, flow: Path, tmp_path: Path
) -> None:
    nifi_client = client(stub)
    group_id = nifi.deploy(nifi_client, "shop", flow, (0, 0)).group_id
    nifi.start(nifi_client, group_id, "shop")
    definition = json.loads(flow.read_text())
    definition["parameterContexts"] = {
        "shop": {"parameters": [{"name": "new.password", "sensitive": True}]}
    }
    changed = tmp_path / "changed.flow.json"
    changed.write_text(json.dumps(definition))
    with pytest.raises(NifiError, match=r"set the Airflow variables \['new.password'\]"):
        nifi.deploy(nifi_client, "shop", changed, (0, 0))
    assert stub.groups[group_id].state == "RUNNING"
    nifi.deploy(nifi_client, "shop", changed, (0, 0), lambda name: "given")
    assert stub.groups[group_id].state == "STOPPED"
