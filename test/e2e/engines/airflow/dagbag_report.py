"""Import every DAG file of a folder with Airflow's DagBag and print a JSON report.

    python dagbag_report.py DAGS_FOLDER [--out FILE] [--safe-mode]

Run it with the venv-airflow python (or venv-airflow-dagfactory's) and AIRFLOW_HOME set
(test/e2e/harness/airflow.ts does both). No metadata database is needed. The report:

    {"airflow_version": "3.2.2",
     "dagbag_class": "airflow.dag_processing.dagbag.DagBag",
     "dags_folder": ..., "dag_ids": [...sorted],
     "import_errors": {file: message}, "warnings": {file: [message...]},
     "stats": [{"file", "duration_s", "dag_num", "task_num", "dags"}],
     "parse_seconds": sum of the stats' durations,
     "wall_seconds": wall time of DagBag(...),
     "dags": {dag_id: {"fileloc", "schedule", "timetable", "tags", "owner", "catchup",
                        "max_active_runs", "has_deadline", "on_failure_callback",
                        "task_groups",
                        "tasks": {task_id: {"operator", "operator_module", "task_type",
                                            "upstream", "downstream", "task_group",
                                            "trigger_rule", "retries", "pool", "queue",
                                            "outlets", "inlets",
                                            "on_failure_callback"}}}}}

--out FILE writes the JSON there instead of stdout (Airflow logs to stdout while it
imports). Exit 0 whether or not a file failed to import: the caller reads import_errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _dagbag_class():
    # Airflow 3.1+: airflow.dag_processing.dagbag; 3.0 and 2.x: airflow.models.dagbag.
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # pragma: no cover - older Airflow
        from airflow.models.dagbag import DagBag
    return DagBag


def _names(objs) -> list[str]:
    out = []
    for obj in objs or []:
        name = getattr(obj, "name", None) or getattr(obj, "uri", None) or repr(obj)
        out.append(str(name))
    return out


def _callback_names(cb) -> list[str] | None:
    if not cb:
        return None
    cbs = cb if isinstance(cb, list | tuple) else [cb]
    # A function's name, or a notifier's class name (SmtpNotifier, ...).
    return [getattr(c, "__name__", None) or type(c).__name__ for c in cbs]


def _task_group_ids(dag) -> list[str]:
    ids: list[str] = []

    def walk(group):
        for child in group.children.values():
            if hasattr(child, "children"):  # a TaskGroup
                ids.append(child.group_id)
                walk(child)

    walk(dag.task_group)
    return ids


def _describe_dag(dag) -> dict:
    tasks = {}
    for t in sorted(dag.tasks, key=lambda t: t.task_id):
        group = getattr(t, "task_group", None)
        tasks[t.task_id] = {
            "operator": type(t).__name__,
            "operator_module": type(t).__module__,
            "task_type": getattr(t, "task_type", type(t).__name__),
            "upstream": sorted(t.upstream_task_ids),
            "downstream": sorted(t.downstream_task_ids),
            "task_group": group.group_id
            if group is not None and group.group_id
            else None,
            "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
            "retries": getattr(t, "retries", None),
            "pool": getattr(t, "pool", None),
            "queue": getattr(t, "queue", None),
            "outlets": _names(getattr(t, "outlets", None)),
            "inlets": _names(getattr(t, "inlets", None)),
            "on_failure_callback": _callback_names(
                getattr(t, "on_failure_callback", None)
            ),
        }
    schedule = getattr(dag, "schedule", None)
    deadline = getattr(dag, "deadline", None)
    return {
        "fileloc": dag.fileloc,
        "schedule": schedule if isinstance(schedule, str | None) else repr(schedule),
        "timetable": type(dag.timetable).__name__,
        "tags": sorted(dag.tags or []),
        "owner": dag.owner,
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "has_deadline": bool(deadline),
        "on_failure_callback": _callback_names(
            getattr(dag, "on_failure_callback", None)
        ),
        "task_groups": _task_group_ids(dag),
        "tasks": tasks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dags_folder")
    parser.add_argument("--out", help="write the JSON report to this file")
    parser.add_argument(
        "--safe-mode",
        action="store_true",
        help="only files containing 'airflow' and 'dag' (Airflow's default heuristic); "
        "default: every .py file",
    )
    args = parser.parse_args()
    folder = str(Path(args.dags_folder).resolve())

    import airflow

    dagbag_cls = _dagbag_class()
    started = time.perf_counter()
    bag = dagbag_cls(
        dag_folder=folder, include_examples=False, safe_mode=args.safe_mode
    )
    wall = time.perf_counter() - started

    stats = []
    for s in getattr(bag, "dagbag_stats", []) or []:
        duration = (
            s.duration.total_seconds()
            if hasattr(s.duration, "total_seconds")
            else s.duration
        )
        stats.append(
            {
                "file": s.file,
                "duration_s": duration,
                "dag_num": s.dag_num,
                "task_num": s.task_num,
                "dags": s.dags,
            }
        )
    report = {
        "airflow_version": airflow.__version__,
        "dagbag_class": f"{dagbag_cls.__module__}.{dagbag_cls.__name__}",
        "dags_folder": folder,
        "dag_ids": sorted(bag.dag_ids),
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "warnings": {
            str(k): [str(w) for w in v]
            for k, v in (getattr(bag, "captured_warnings", None) or {}).items()
        },
        "stats": stats,
        "parse_seconds": sum(s["duration_s"] for s in stats),
        "wall_seconds": wall,
        "dags": {
            dag_id: _describe_dag(dag) for dag_id, dag in sorted(bag.dags.items())
        },
    }
    text = json.dumps(report, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
