"""Produces JSON records to a topic in Kafka transactions, some committed and some aborted.

usage: produce_tx.py BOOTSTRAP TOPIC TRANSACTIONS_JSON

TRANSACTIONS_JSON: [{"commit": true|false, "values": [{...}, ...]}, ...], in order; each
transaction's records are flushed to the broker before it commits or aborts, so an aborted
transaction's records are in the log (a read_uncommitted consumer sees them).
"""

import json
import sys

from confluent_kafka import Producer


def main() -> None:
    bootstrap, topic, transactions = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "transactional.id": "pipegen-e2e-tx",
            "acks": "all",
        }
    )
    producer.init_transactions(30)
    for tx in transactions:
        producer.begin_transaction()
        for value in tx["values"]:
            producer.produce(topic, json.dumps(value).encode())
        producer.flush(30)
        if tx["commit"]:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)


if __name__ == "__main__":
    main()
