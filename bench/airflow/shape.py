"""What the benchmark compares of a DagBag: every DAG with its settings, deadline alerts, tasks,
operators, callables, failure notifiers, assets and operator arguments, as plain JSON.

pipegen's files, the dag-factory configs and the hand-written floor must give the same shape
(run.mjs compares its sha256), so all three build the same DAGs with the same operators.
Left out: doc_md and description (dag-factory appends the YAML to doc_md), the tag
"dagfactory" that dag-factory adds, and paths (only a Spark application's file name).
"""

import hashlib
import json
import os

# SparkSubmitOperator arguments compared (their values as the operator was given them).
SPARK_ARGS = (
    "conn_id name deploy_mode packages py_files conf num_executors executor_cores executor_memory "
    "driver_memory application_args env_vars retry_exponential_backoff max_retry_delay"
).split()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _notifier(n):
    fields = getattr(n, "template_fields", ())
    return [type(n).__name__, {f: _jsonable(getattr(n, f, None)) for f in fields}]


def _task(t):
    init = getattr(t, "_BaseOperator__init_kwargs", {})
    out = {
        "task_id": t.task_id,
        "operator": type(t).__name__,
        "upstream": sorted(t.upstream_task_ids),
        "owner": t.owner,
        "retries": t.retries,
        "retry_delay": str(t.retry_delay),
        "on_failure_callback": [_notifier(n) for n in (t.on_failure_callback or [])],
        "inlets": sorted(getattr(a, "uri", str(a)) for a in t.inlets),
        "outlets": sorted(getattr(a, "uri", str(a)) for a in t.outlets),
    }
    fn = getattr(t, "python_callable", None)
    if fn is not None:
        out["callable"] = fn.__name__
    if type(t).__name__ == "SparkSubmitOperator":
        out["application"] = os.path.basename(init.get("application", ""))
        # Not given, None and empty are the same argument.
        out["args"] = {k: _jsonable(init.get(k) or None) for k in SPARK_ARGS}
    return out


def _deadline(alert):
    return [
        type(alert.reference).__name__,
        str(alert.interval),
        alert.callback.path,
        _jsonable(alert.callback.kwargs),
    ]


def describe(bag):
    """{dag_id: {...}} for every DAG of the bag."""
    out = {}
    for dag_id, d in sorted(bag.dags.items()):
        deadline = d.deadline or []
        out[dag_id] = {
            "schedule": str(getattr(d, "schedule", None)),
            "start_date": str(d.start_date),
            "catchup": d.catchup,
            "max_active_runs": d.max_active_runs,
            "tags": sorted(t for t in (d.tags or []) if t != "dagfactory"),
            "params": sorted(d.params.keys()),
            "user_defined_filters": sorted((d.user_defined_filters or {}).keys()),
            "deadline": [
                _deadline(a) for a in (deadline if isinstance(deadline, list) else [deadline])
            ],
            "tasks": sorted((_task(t) for t in d.tasks), key=lambda t: t["task_id"]),
        }
    return out


def sha256(described):
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
