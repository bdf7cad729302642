"""The Airflow side of a generated ingestion DAG: its tasks' work, from Airflow settings.

A generated DAG holds the pipeline's data (connection ids, files, the NiFi group) and
wires these functions into tasks:

    @task(outlets=TOPICS)
    def apply_topics():
        from pipegen_runtime import airflow as runtime

        runtime.apply_topics(KAFKA_CONN_ID, Path(GENERATED, "kafka", "topics.json"))

Settings come from Airflow connections and variables when a task runs:
- the Kafka connection's extra is a librdkafka configuration with bootstrap.servers;
- an HTTP connection's host is a URL (https://host:8443, http://host:8080/apis/ccompat/v7)
  or a host name (with port and schema http/https); its extra may set "verify" (false or
  a CA bundle) and "timeout" (seconds); its login and password are basic auth for the
  schema registry and a login (for an access token) for NiFi;
- a NiFi parameter NAME takes the Airflow variable NAME, except those the Kafka and
  registry connections provide.

The generated tasks import this module when they run, not when Airflow parses the file.
It is cheap to import all the same: what a task needs (requests, the Kafka client, the
NiFi and registry clients, airflow.sdk, a provider's notifier) is imported inside the
function that uses it. So the rest of this module (and its tests) also work without Airflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import requests

    from . import nifi


class ConnectionLike(Protocol):
    """What these functions read of an Airflow connection."""

    conn_id: str
    host: str | None
    schema: str | None
    port: int | None
    login: str | None
    password: str | None

    @property
    def extra_dejson(self) -> dict[str, Any]: ...


# --- connections -----------------------------------------------------------------------------


def base_url(conn: ConnectionLike) -> str:
    """The connection's URL: its host when that is a URL, else <schema>://<host>[:<port>]."""
    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise ValueError(f"Airflow connection {conn.conn_id} has no host")
    if "://" in host:
        return host
    scheme = conn.schema or "http"
    return f"{scheme}://{host}:{conn.port}" if conn.port else f"{scheme}://{host}"


def tls_verify(conn: ConnectionLike) -> bool | str:
    """The extra's "verify": True (default), False, or a CA bundle's path."""
    verify = conn.extra_dejson.get("verify", True)
    # A URI-form connection gives extras as strings: "false" means no verification.
    if isinstance(verify, str) and verify.lower() in ("true", "false"):
        return verify.lower() == "true"
    return verify if isinstance(verify, str) else bool(verify)


def request_timeout(conn: ConnectionLike) -> float:
    """The extra's "timeout" in seconds (default 30)."""
    return float(conn.extra_dejson.get("timeout", 30))


def http_session(conn: ConnectionLike) -> requests.Session:
    """A requests session with the connection's TLS verification."""
    import requests

    class _Session(requests.Session):
        """A session whose own `verify` is passed with every request: requests lets the
        REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE environment variables replace a session's verify
        (a connection's verify: false or its CA bundle would be ignored)."""

        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("verify", self.verify)
            return super().request(method, url, *args, **kwargs)

    session = _Session()
    session.verify = tls_verify(conn)
    return session


def kafka_config(conn: ConnectionLike) -> dict[str, str]:
    """The Kafka connection's extra as librdkafka properties (booleans as true/false)."""
    return {
        str(key): str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in conn.extra_dejson.items()
    }


def kafka_bootstrap(conn: ConnectionLike) -> str:
    """bootstrap.servers of the Kafka connection's extra."""
    servers = kafka_config(conn).get("bootstrap.servers")
    if not servers:
        raise ValueError(f"Airflow connection {conn.conn_id} has no bootstrap.servers in its extra")
    return servers


def connection(conn_id: str) -> ConnectionLike:
    from airflow.sdk import Connection

    conn: ConnectionLike = Connection.get(conn_id)
    return conn


def variable(name: str) -> str | None:
    from airflow.sdk import Variable

    value: str | None = Variable.get(name, default=None)
    return value


def mask_secret(value: str) -> None:
    """Airflow's secrets masker: the value shows as *** in logs and rendered fields."""
    from airflow.sdk.log import mask_secret as mask

    mask(value)


# --- the tasks -------------------------------------------------------------------------------


def apply_topics(kafka_conn_id: str, manifest: Path) -> None:
    """Create or update the topics of a topics.json (idempotent), with the connection's client."""
    from . import kafka_apply

    conn = connection(kafka_conn_id)
    properties = kafka_config(conn)
    bootstrap = kafka_bootstrap(conn)
    properties.pop("bootstrap.servers")
    code = kafka_apply.run(
        kafka_apply.load_manifest(manifest), properties, bootstrap_servers=bootstrap
    )
    if code != kafka_apply.EXIT_OK:
        raise RuntimeError(f"applying {manifest} failed (exit code {code}): see above")


def registry_config(conn: ConnectionLike) -> dict[str, Any]:
    """SchemaRegistryClient's configuration from a connection."""
    from . import registry

    return registry.client_config(
        base_url(conn),
        verify=tls_verify(conn),
        timeout=request_timeout(conn),
        login=conn.login,
        password=conn.password,
    )


def register_schema(
    registry_conn_id: str, subject: str, schema_file: Path, compatibility: str | None
) -> int:
    """Register one Avro schema (the same schema keeps its id) and set its compatibility."""
    from . import registry

    config = registry_config(connection(registry_conn_id))
    schema_id = registry.register_file(config, subject, schema_file, compatibility)
    print(f"{subject}: schema id {schema_id}, compatibility {compatibility}")
    return schema_id


@dataclass(frozen=True)
class NifiFlow:
    """A pipeline's NiFi flow and where it goes."""

    # The NiFi connection (host: NiFi's URL without /nifi-api).
    conn_id: str
    # The process group on the root canvas that holds the flow.
    group: str
    # The flow definition (generated/<pipeline>/nifi/<pipeline>.flow.json).
    flow: Path
    # Where the group goes on the root canvas when it is created.
    position: tuple[int, int] = (0, 0)
    # Flow parameters an Airflow connection provides: parameter -> "kafka" (the Kafka
    # connection's bootstrap.servers) or "registry" (the registry connection's URL).
    from_connections: Mapping[str, Literal["kafka", "registry"]] = field(default_factory=dict)
    kafka_conn_id: str = "kafka_default"
    registry_conn_id: str = "schema_registry_default"
    # Seconds to wait for NiFi's asynchronous requests and for services to enable.
    wait: float = 300.0


def nifi_client(flow: NifiFlow) -> nifi.Nifi:
    """A NiFi client from the connection (logged in when it has a login)."""
    from . import nifi

    conn = connection(flow.conn_id)
    client = nifi.Nifi(
        base_url(conn),
        http_session(conn),
        timeout=request_timeout(conn),
        wait=flow.wait,
    )
    if conn.login:
        mask_secret(client.login(conn.login, conn.password or ""))
    return client


def parameter_value(flow: NifiFlow, name: str) -> str | None:
    """The value NiFi parameter `name` takes: from a connection, else from its variable."""
    source = flow.from_connections.get(name)
    if source == "kafka":
        return kafka_bootstrap(connection(flow.kafka_conn_id))
    if source == "registry":
        return base_url(connection(flow.registry_conn_id))
    return variable(name)


def deploy_nifi_flow(flow: NifiFlow, *, update_secrets: bool = False) -> str:
    """Upload or replace the flow's process group, then fill its parameters; returns its id.

    Sensitive parameters are set on a new upload, when empty, or with update_secrets (a
    rotation); the others when their value differs.
    """
    from . import nifi

    client = nifi_client(flow)
    deployed = nifi.deploy(
        client, flow.group, flow.flow, flow.position, lambda name: parameter_value(flow, name)
    )
    context = client.parameter_context(deployed.group_id)
    values, missing = nifi.parameter_values(
        context,
        lambda name: parameter_value(flow, name),
        every=update_secrets or deployed.created,
    )
    if missing:
        raise ValueError(f"NiFi parameters without a value: set the Airflow variables {missing}")
    for parameter, value in values:
        if parameter.get("sensitive"):
            mask_secret(value)
    if context and values:
        client.update_parameters(context, values)
        names = ", ".join(parameter["name"] for parameter, _ in values)
        print(f"set parameters {names} of context {context['component']['name']}")
    return deployed.group_id


def start_nifi_flow(flow: NifiFlow, group_id: str) -> None:
    """Enable the group's controller services, then start it (fails if any is invalid)."""
    from . import nifi

    nifi.start(nifi_client(flow), group_id, flow.group)
