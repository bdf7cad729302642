"""Serialize every DAG of a folder as Airflow's DAG processor does, and read it back.

    python serialize_dags.py DAGS_FOLDER OUT.json

A DAG that imports but does not serialize (a callback, an asset, a deadline, a
parameter Airflow cannot store) never reaches the scheduler: the DAG processor records
it as an import error. This runs DagSerialization.to_dict and from_dict on each DAG of
a DagBag and writes {"errors": {dag_id: message}, "dags": {dag_id: {"tasks": [...],
"deadline": n, "timetable": ..., "params": [...]}}} to OUT.json (Airflow logs to stdout).
"""

import json
import sys

from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization


def main() -> int:
    folder, out = sys.argv[1], sys.argv[2]
    bag = DagBag(dag_folder=folder, include_examples=False, safe_mode=False)
    report = {"import_errors": dict(bag.import_errors), "errors": {}, "dags": {}}
    for dag_id, dag in sorted(bag.dags.items()):
        try:
            data = DagSerialization.to_dict(dag)
            json.dumps(data)
            back = DagSerialization.from_dict(data)
            deadline = data["dag"].get("deadline") or []
            report["dags"][dag_id] = {
                "tasks": sorted(back.task_ids),
                "deadline": len(deadline) if isinstance(deadline, list) else 1,
                "timetable": type(back.timetable).__name__,
                "params": sorted(back.params.keys()),
            }
        except Exception as e:  # noqa: BLE001 - reported per DAG
            report["errors"][dag_id] = f"{type(e).__name__}: {e}"
    with open(out, "w", encoding="utf-8") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
