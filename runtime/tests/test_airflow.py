"""The Airflow glue without Airflow: connections and variables are stand-ins here (the real
Airflow runs the generated DAGs in test/e2e/airflow-dags.e2e.test.ts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from http_stub import HttpStub
from nifi_stub import NifiStub

from pipegen_runtime import airflow as runtime
from pipegen_runtime import kafka_apply


@dataclass
class Conn:
    conn_id: str = "c"
    host: str | None = None
    schema: str | None = None
    port: int | None = None
    login: str | None = None
    password: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def extra_dejson(self) -> dict[str, Any]:
        return self.extra


def test_importing_the_module_imports_nothing_a_task_needs() -> None:
    """Every generated ingestion DAG imports it when Airflow parses the file: what the tasks
    use is imported when they run."""
    heavy = [
        "requests",
        "confluent_kafka",
        "airflow",
        "pipegen_runtime.kafka_apply",
        "pipegen_runtime.nifi",
        "pipegen_runtime.registry",
    ]
    code = (
        "import sys, json; import pipegen_runtime.airflow; "
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    # The runtime under test (src/), not a copy installed in this Python.
    src = str(Path(runtime.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert json.loads(out) == []


@pytest.mark.parametrize(
    ("conn", "url"),
    [
        (Conn(host="https://nifi:8443/"), "https://nifi:8443"),
        (Conn(host=" http://r:8080/apis/ccompat/v7 "), "http://r:8080/apis/ccompat/v7"),
        (Conn(host="nifi", port=8080), "http://nifi:8080"),
        (Conn(host="nifi", schema="https"), "https://nifi"),
    ],
)
def test_base_url(conn: Conn, url: str) -> None:
    assert runtime.base_url(conn) == url


def test_a_connection_without_host() -> None:
    with pytest.raises(ValueError, match="Airflow connection nifi_default has no host"):
        runtime.base_url(Conn(conn_id="nifi_default", host=" "))


@pytest.mark.parametrize(
    ("extra", "verify", "timeout"),
    [
        ({}, True, 30.0),
        ({"verify": False, "timeout": 5}, False, 5.0),
        ({"verify": "false", "timeout": "2.5"}, False, 2.5),
        ({"verify": "True"}, True, 30.0),
        ({"verify": "/etc/ssl/ca.pem"}, "/etc/ssl/ca.pem", 30.0),
    ],
)
def test_tls_verification_and_timeout(
    extra: dict[str, Any], verify: bool | str, timeout: float
) -> None:
    conn = Conn(host="h", extra=extra)
    assert runtime.tls_verify(conn) == verify
    assert runtime.request_timeout(conn) == timeout
    assert runtime.http_session(conn).verify == verify


def test_the_kafka_extra_as_librdkafka_properties() -> None:
    conn = Conn(extra={"bootstrap.servers": "k:9092", "enable.ssl.certificate.verification": False})
    assert runtime.kafka_config(conn) == {
        "bootstrap.servers": "k:9092",
        "enable.ssl.certificate.verification": "false",
    }
    assert runtime.kafka_bootstrap(conn) == "k:9092"
    with pytest.raises(ValueError, match="kafka_default has no bootstrap.servers in its extra"):
        runtime.kafka_bootstrap(Conn(conn_id="kafka_default", extra={"x": 1}))


def test_the_registry_client_config_from_a_connection() -> None:
    conn = Conn(host="https://r", login="u", password="p", extra={"verify": "false"})
    assert runtime.registry_config(conn) == {
        "url": "https://r",
        "ssl.ca.location": False,
        "timeout": 30.0,
        "basic.auth.user.info": "u:p",
    }


# --- the tasks, with stand-ins for Airflow's connections, variables and masker ----------------


@pytest.fixture
def airflow(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """state["connections"] and state["variables"] are what the tasks read; state["masked"]
    what they hid."""
    state: dict[str, Any] = {"connections": {}, "variables": {}, "masked": []}
    monkeypatch.setattr(runtime, "connection", lambda conn_id: state["connections"][conn_id])
    monkeypatch.setattr(runtime, "variable", lambda name: state["variables"].get(name))
    monkeypatch.setattr(runtime, "mask_secret", state["masked"].append)
    return state


def test_apply_topics_runs_the_apply_with_the_connections_client(
    airflow: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    manifest = tmp_path / "topics.json"
    manifest.write_text(json.dumps({"pipeline": "p", "topics": []}), encoding="utf-8")
    airflow["connections"]["kafka"] = Conn(
        extra={"bootstrap.servers": "k:1", "security.protocol": "SASL_SSL"}
    )
    calls: list[Any] = []

    def run(manifest: kafka_apply.Manifest, properties: Any, **kwargs: Any) -> int:
        calls.append((manifest.pipeline, properties, kwargs))
        return len(calls) - 1

    monkeypatch.setattr(kafka_apply, "run", run)
    runtime.apply_topics("kafka", manifest)
    assert calls == [("p", {"security.protocol": "SASL_SSL"}, {"bootstrap_servers": "k:1"})]
    with pytest.raises(RuntimeError, match="topics.json failed \\(exit code 1\\)"):
        runtime.apply_topics("kafka", manifest)


def test_register_schema_with_the_connections_url_and_login(
    airflow: dict[str, Any], tmp_path: Path
) -> None:
    schema = tmp_path / "t.avsc"
    schema.write_text('{"$comment": "x", "type": "string"}', encoding="utf-8")
    with HttpStub() as server:
        server.route("PUT", "/ccompat/config/t-value", lambda r: (200, r.json()))
        server.route("POST", "/ccompat/subjects/t-value/versions", lambda r: (200, {"id": 42}))
        airflow["connections"]["reg"] = Conn(host=f"{server.url}/ccompat", login="u", password="p")
        assert runtime.register_schema("reg", "t-value", schema, "FULL") == 42
    assert server.calls() == [
        "PUT /ccompat/config/t-value",
        "POST /ccompat/subjects/t-value/versions",
    ]
    assert json.loads(server.requests[1].body)["schema"] == '{"type":"string"}'
    assert server.requests[0].headers["authorization"].startswith("Basic ")


@pytest.fixture
def nifi(airflow: dict[str, Any], tmp_path: Path) -> Iterator[tuple[NifiStub, runtime.NifiFlow]]:
    flow_file = tmp_path / "shop.flow.json"
    flow_file.write_text(json.dumps({"flowContents": {}}), encoding="utf-8")
    with HttpStub() as server:
        stub = NifiStub(
            server,
            parameters={
                "KAFKA_BOOTSTRAP_SERVERS": (False, None),
                "SCHEMA_REGISTRY_URL": (False, None),
                "DB_HOST": (False, None),
                "DB_PASSWORD": (True, None),
                "BATCH": (False, "100"),
            },
        )
        airflow["connections"] |= {
            "nifi": Conn(host=server.url, login="admin", password="s3cret"),
            "kafka": Conn(extra={"bootstrap.servers": "k:9092"}),
            "reg": Conn(host="http://reg:8080/apis/ccompat/v7"),
        }
        airflow["variables"] |= {"DB_HOST": "db", "DB_PASSWORD": "pw-1"}
        flow = runtime.NifiFlow(
            conn_id="nifi",
            group="shop",
            flow=flow_file,
            position=(450, 250),
            from_connections={
                "KAFKA_BOOTSTRAP_SERVERS": "kafka",
                "SCHEMA_REGISTRY_URL": "registry",
            },
            kafka_conn_id="kafka",
            registry_conn_id="reg",
            wait=5,
        )
        yield stub, flow
        assert server.unexpected == []


def test_a_first_deploy_fills_every_empty_parameter_and_masks_the_secrets(
    airflow: dict[str, Any], nifi: tuple[NifiStub, runtime.NifiFlow]
) -> None:
    stub, flow = nifi
    group_id = runtime.deploy_nifi_flow(flow)
    assert stub.groups[group_id].position == ("450", "250")
    assert stub.updates == [
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k:9092",
            "SCHEMA_REGISTRY_URL": "http://reg:8080/apis/ccompat/v7",
            "DB_HOST": "db",
            "DB_PASSWORD": "pw-1",
        }
    ]
    assert airflow["masked"] == ["token-123", "pw-1"]
    runtime.start_nifi_flow(flow, group_id)
    assert stub.groups[group_id].state == "RUNNING"


def test_a_second_deploy_sets_only_what_changed_and_secrets_only_when_asked(
    airflow: dict[str, Any], nifi: tuple[NifiStub, runtime.NifiFlow]
) -> None:
    stub, flow = nifi
    group_id = runtime.deploy_nifi_flow(flow)
    airflow["variables"] |= {"DB_HOST": "db-2", "DB_PASSWORD": "pw-2", "BATCH": "200"}
    assert runtime.deploy_nifi_flow(flow) == group_id
    assert stub.updates[1:] == [{"DB_HOST": "db-2", "BATCH": "200"}]
    runtime.deploy_nifi_flow(flow, update_secrets=True)
    assert stub.updates[2:] == [{"DB_PASSWORD": "pw-2"}]
    runtime.deploy_nifi_flow(flow)
    assert len(stub.updates) == 3


def test_a_parameter_without_a_value_fails_the_deploy_with_the_variables_to_set(
    airflow: dict[str, Any], nifi: tuple[NifiStub, runtime.NifiFlow]
) -> None:
    stub, flow = nifi
    del airflow["variables"]["DB_HOST"], airflow["variables"]["DB_PASSWORD"]
    with pytest.raises(ValueError, match=r"set the Airflow variables \['DB_HOST', 'DB_PASSWORD'\]"):
        runtime.deploy_nifi_flow(flow)
    assert stub.updates == []
