"""Describes the DAGs of a folder as JSON (dag ids, schedules, tasks and their upstream ids).

Usage: python describe_dags.py <dags_folder>   (prints JSON on stdout)
Used by run.mjs to write the equivalent dag-factory YAML configs; not timed.
"""

import json
import sys

from airflow.dag_processing.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
if bag.import_errors:
    print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
    sys.exit(1)
out = {}
for dag_id, dag in sorted(bag.dags.items()):
    sched = getattr(dag, "schedule", None)
    out[dag_id] = {
        "file": dag.fileloc,
        "schedule": sched if isinstance(sched, str) or sched is None else str(sched),
        "max_active_runs": dag.max_active_runs,
        "catchup": dag.catchup,
        "tags": sorted(dag.tags or []),
        "tasks": [
            {"task_id": t.task_id, "upstream": sorted(t.upstream_task_ids)}
            for t in dag.tasks
        ],
    }
print(json.dumps({"dags": out}))
