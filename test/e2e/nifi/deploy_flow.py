"""Deploys and starts a generated NiFi flow with the ingestion DAG's own task code
(pipegen_runtime.airflow.deploy_nifi_flow and start_nifi_flow), without Airflow: the
connections and variables those functions read come from a JSON file instead.

    python deploy_flow.py SETTINGS.json

SETTINGS: {"nifi": URL, "group": NAME, "flow": FILE, "kafka": BOOTSTRAP,
"variables": {NAME: VALUE}}. Prints what the tasks print, then the group's id on the last line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from pipegen_runtime import airflow as runtime


def main() -> None:
    settings = json.loads(Path(sys.argv[1]).read_text())
    connections = {
        "nifi_default": {"host": settings["nifi"], "extra": {}},
        "kafka_default": {
            "host": None,
            "extra": {"bootstrap.servers": settings["kafka"]},
        },
    }

    def connection(conn_id: str) -> SimpleNamespace:
        c = connections[conn_id]
        return SimpleNamespace(
            conn_id=conn_id,
            host=c["host"],
            schema=None,
            port=None,
            login=None,
            password=None,
            extra_dejson=c["extra"],
        )

    runtime.connection = connection  # type: ignore[assignment]
    runtime.variable = lambda name: settings["variables"].get(name)  # type: ignore[assignment]
    runtime.mask_secret = lambda value: None  # type: ignore[assignment]  # Airflow's log masking
    flow = runtime.NifiFlow(
        conn_id="nifi_default",
        group=settings["group"],
        flow=Path(settings["flow"]),
        from_connections={"KAFKA_BOOTSTRAP_SERVERS": "kafka"},
        wait=120.0,
    )
    group_id = runtime.deploy_nifi_flow(flow)
    runtime.start_nifi_flow(flow, group_id)
    print(group_id)


if __name__ == "__main__":
    main()
