"""Times one DagBag parse of a folder and prints the result as JSON on stdout.

Usage: python time_dagbag.py <dags_folder> [--audit]
Run by run.mjs once per repetition, in a fresh process (cold imports every time), with the
venv's Python: venv-airflow for pipegen's DAG files and the hand-written floor,
venv-airflow-dagfactory for dag-factory. parse_cpu_s is the process's CPU time of the parse
(less sensitive than wall time to other work on the machine).
With --audit (an untimed run) it also reports the work a parse must not do: files opened
other than Python modules (a .submit.json, a schema...) and Variable/Connection lookups.
"""

import json
import os
import sys
import time

import shape

audit = {"opened": set(), "lookups": []}
if "--audit" in sys.argv:
    # Files of the build (the dags folder's parent: the Spark plans, schemas, YAML) other than
    # the DAG files themselves.
    build = os.path.dirname(os.path.abspath(sys.argv[1])) + os.sep

    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and not args[0].endswith((".py", ".pyc")):
            path = os.path.abspath(args[0])
            if path.startswith(build) and not os.path.isdir(path):
                audit["opened"].add(path)

    sys.addaudithook(hook)

t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag  # noqa: E402

t_import = time.perf_counter() - t0
if "--audit" in sys.argv:
    import airflow.sdk  # noqa: E402

    for cls in (airflow.sdk.Variable, airflow.sdk.Connection):
        real = cls.get

        def get(*args, _cls=cls, _real=real, **kwargs):
            audit["lookups"].append(f"{_cls.__name__}.get{args}")
            return _real(*args, **kwargs)

        cls.get = get
    audit["opened"].clear()  # what importing Airflow read is not the DAG files' doing

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
            "audit": {"opened": sorted(audit["opened"]), "lookups": audit["lookups"]},
        }
    )
)
