"""Times one DagBag parse of a folder and prints the result as JSON on stdout.

Usage: python time_dagbag.py <dags_folder>
Run by run.mjs once per repetition, in a fresh process (cold imports every time), with the
venv's Python: venv-airflow for pipegen's DAG files, venv-airflow-dagfactory for dag-factory.
"""

import hashlib
import json
import sys
import time

t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag  # noqa: E402

t_import = time.perf_counter() - t0

t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
t_parse = time.perf_counter() - t1

shape = [
    [i, str(getattr(d, "schedule", None)), sorted([t.task_id, sorted(t.upstream_task_ids)] for t in d.tasks)]
    for i, d in sorted(bag.dags.items())
]
print(
    json.dumps(
        {
            "import_airflow_s": t_import,
            "parse_s": t_parse,
            "dags": len(bag.dags),
            "tasks": sum(len(d.tasks) for d in bag.dags.values()),
            "files": len(bag.dag_ids and {d.fileloc for d in bag.dags.values()}),
            "shape_sha256": hashlib.sha256(json.dumps(shape).encode()).hexdigest(),
            "import_errors": {k: str(v)[-2000:] for k, v in bag.import_errors.items()},
        }
    )
)
