"""Kafka client options."""

from __future__ import annotations

import base64
import json

import pytest
from http_stub import HttpStub

from pipegen_runtime.spark.source import kafka_options, writer_schemas

READER = json.dumps({"type": "record", "name": "r", "fields": [{"name": "a", "type": "long"}]})
OTHER = json.dumps({"type": "record", "name": "r", "fields": []})


def test_plaintext() -> None:
    assert kafka_options("k:9092") == {"kafka.bootstrap.servers": "k:9092"}


def test_sasl_credentials_are_quoted_for_jaas() -> None:
    options = kafka_options(
        "k:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_user='u"ser',
        sasl_password="pa\\ss word",
    )
    assert options["kafka.security.protocol"] == "SASL_SSL"
    assert options["kafka.sasl.mechanism"] == "SCRAM-SHA-512"
    assert options["kafka.sasl.jaas.config"] == (
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        ' username="u\\"ser" password="pa\\\\ss word";'
    )


def test_ssl_without_sasl() -> None:
    assert kafka_options("k:9093", security_protocol="SSL") == {
        "kafka.bootstrap.servers": "k:9093",
        "kafka.security.protocol": "SSL",
    }


@pytest.mark.parametrize(
    ("mechanism", "user", "message"),
    [
        ("GSSAPI", "u", "unknown SASL mechanism"),
        ("PLAIN", None, "needs a user and a password"),
    ],
)
def test_sasl_mistakes(mechanism: str, user: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kafka_options(
            "k",
            security_protocol="SASL_SSL",
            sasl_mechanism=mechanism,
            sasl_user=user,
            sasl_password="p",
        )


# --- the writers' schemas, from the registry ---------------------------------------------


def registry_stub(server: HttpStub, versions: dict[int, tuple[int, str]]) -> None:
    """A subject "t-value" with the given versions (version -> (id, schema))."""
    server.route("GET", r"/subjects/t-value/versions", lambda r: (200, sorted(versions)))
    server.route(
        "GET",
        r"/subjects/t-value/versions/(\d+)",
        lambda r: (
            200,
            {
                "subject": "t-value",
                "version": int(r.params[0]),
                "id": versions[int(r.params[0])][0],
                "schema": versions[int(r.params[0])][1],
            },
        ),
    )


@pytest.mark.parametrize(
    ("versions", "want", "warned"),
    [
        ({1: (5, READER), 2: (9, OTHER)}, {5: READER, 9: OTHER}, False),
        ({1: (9, OTHER)}, {9: OTHER}, True),
        ({}, {}, True),
    ],
    ids=["every version by id", "the job's own not registered yet", "no such subject"],
)
def test_writer_schemas_are_every_version_of_the_subject(
    versions: dict[int, tuple[int, str]],
    want: dict[int, str],
    warned: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with HttpStub() as server:
        if versions:
            registry_stub(server, versions)
        got = writer_schemas(server.url + "/", "t-value", READER)
    assert got == want
    assert ("not a version of t-value" in capsys.readouterr().err) == warned


def test_writer_schemas_send_the_urls_login_as_basic_auth() -> None:
    with HttpStub() as server:
        registry_stub(server, {1: (5, READER)})
        url = server.url.replace("http://", "http://u%40x:p%3Aw@")
        writer_schemas(url, "t-value", READER)
    auth = server.requests[0].headers["authorization"]
    assert base64.b64decode(auth.removeprefix("Basic ")) == b"u@x:p:w"


def test_writer_schemas_fail_on_a_registry_error() -> None:
    with HttpStub() as server:
        server.route("GET", r"/subjects/t-value/versions", lambda r: (500, {"message": "down"}))
        with pytest.raises(RuntimeError, match="subject t-value"):
            writer_schemas(server.url, "t-value", READER)
