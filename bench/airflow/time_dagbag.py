"""Times one DagBag parse of a folder and prints the result as JSON on stdout.

Usage: python time_dagbag.py <dags_folder>
Run by run.mjs once per repetition, in a fresh process (cold imports every time), with the
venv's Python: venv-airflow for pipegen's DAG files and the hand-written floor,
venv-airflow-dagfactory for dag-factory. parse_cpu_s is the process's CPU time of the parse
(less sensitive than wall time to other work on the machine).
"""

import json
import sys
import time

import shape

t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag  # noqa: E402

t_import = time.perf_counter() - t0

c1 = time.process_time()
t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
t_parse = time.perf_counter() - t1
c_parse = time.process_time() - c1

print(
    json.dumps(
        {
            "import_airflow_s": t_import,
            "parse_s": t_parse,
            "parse_cpu_s": c_parse,
            "dags": len(bag.dags),
            "tasks": sum(len(d.tasks) for d in bag.dags.values()),
            "shape_sha256": shape.sha256(shape.describe(bag)),
            "import_errors": {k: str(v)[-2000:] for k, v in bag.import_errors.items()},
        }
    )
)
