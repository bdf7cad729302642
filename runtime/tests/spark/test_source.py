"""Kafka client options."""

from __future__ import annotations

import pytest

from pipegen_runtime.spark.source import kafka_options


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
