"""Schema registration in a schema registry with Confluent's REST API.

On confluent-kafka's SchemaRegistryClient (confluent_kafka.schema_registry, with its
retries of transient failures). A registration is idempotent: the same schema under the
same subject keeps its id and version. The subject's compatibility level is set first,
so that a new version is checked at the spec's level; a registry that refuses config for
a subject it does not know yet (HTTP 404: Apicurio, some Confluent versions) gets it
right after the first version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from confluent_kafka.schema_registry import SchemaRegistryClient


def client_config(
    url: str,
    *,
    verify: bool | str = True,
    timeout: float | None = None,
    login: str | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    """SchemaRegistryClient's configuration.

    verify: True (the default CA bundle), False (no TLS verification) or a CA bundle's
    path; timeout: seconds per request; login/password: HTTP basic auth.
    """
    config: dict[str, Any] = {"url": url}
    if verify is False or isinstance(verify, str):
        config["ssl.ca.location"] = verify
    if timeout is not None:
        config["timeout"] = timeout
    if login:
        config["basic.auth.user.info"] = f"{login}:{password or ''}"
    return config


def schema_text(path: Path) -> str:
    """An .avsc file as the registry gets it: compact JSON without pipegen's $comment."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(schema, dict):
        schema.pop("$comment", None)
    return json.dumps(schema, separators=(",", ":"))


def register(
    client: SchemaRegistryClient,
    subject: str,
    schema: str,
    compatibility: str | None = None,
) -> int:
    """Register an Avro schema under subject and set its compatibility; returns its id."""
    from confluent_kafka.schema_registry import Schema
    from confluent_kafka.schema_registry.error import SchemaRegistryError

    configured = False
    if compatibility:
        try:
            client.set_compatibility(subject, compatibility)
            configured = True
        except SchemaRegistryError as e:
            if e.http_status_code != 404:
                raise
    schema_id = client.register_schema(subject, Schema(schema, schema_type="AVRO"))
    if compatibility and not configured:
        client.set_compatibility(subject, compatibility)
    return schema_id


def register_file(
    config: dict[str, Any], subject: str, path: Path, compatibility: str | None = None
) -> int:
    """register() with a client of `config` (client_config()) and the schema of an .avsc."""
    from confluent_kafka.schema_registry import SchemaRegistryClient

    with SchemaRegistryClient(config) as client:
        return register(client, subject, schema_text(path), compatibility)
