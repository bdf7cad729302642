"""`airflow dags test` in this process, then a JSON report of the run from the DB.

    python dags_test.py REPORT [--no-deadline-fix] [--no-callback-fix] [--no-api-reuse]
                        [--retries N] [--retry-delay SECONDS]
                        -- DAG_ID [LOGICAL_DATE] [OPTS]

Everything after `--` goes to the Airflow CLI as `airflow dags test ...`, so the exit
code, stdout and stderr are Airflow's (exit 1 and "DagRun failed" on stderr when the run
failed). Afterwards, whatever happened, REPORT gets:

    {"exit_code": int, "dag_id": ..., "deadline_fix": bool, "callback_fix": bool,
     "api_reuse": bool, "retries": int | null, "retry_delay": float | null,
     "run": {"run_id", "state", "logical_date", "run_type", "start_date", "end_date"}
            | null,
     "task_instances": [{"task_id", "map_index", "state", "try_number", "operator",
                         "start_date", "end_date", "duration"}]}

for the newest run of DAG_ID in the metadata DB of $AIRFLOW_HOME.

The deadline fix (on unless --no-deadline-fix): in Airflow 3.2.2 (3.3.2 has the same
code) `dags test` of a DAG declaring `deadline=DeadlineAlert(...)` crashes when the run
*succeeds*: DagRun.update_state() calls DeadlineAlert.get_by_id() for each entry of
dag.deadline, which dag.test() leaves as the serialized alert (a dict) instead of the id
of its DB row ("AttributeError: 'dict' object has no attribute 'hex'"). The fix lets
get_by_id() take such a dict and return an unsaved DeadlineAlert row built from it,
which is all update_state() needs (it only reads the reference type).

The DAG callback fix (on unless --no-callback-fix): Airflow 3.2.2 `dags test` runs the
DAG-level on_success_callback/on_failure_callback with the *serialized* DAG (the one the
test loop schedules with) in the context, so a notifier (SmtpNotifier,
SlackWebhookNotifier, ...) fails to render its templates ("'SerializedDAG' object has no
attribute 'get_template_env'"); Airflow logs that and goes on, and nothing is sent. The
fix hands DagRun.execute_dag_callbacks() the DAG being tested instead, as the DAG
processor does in a real deployment. Task-level callbacks need no fix.

API reuse (on unless --no-api-reuse), a speed-up only: `dags test` builds a new
in-process Execution API app (FastAPI + cadwyn versioning, plus an a2wsgi event-loop
thread) for every task instance, about 3 s each on 2 cores. One app for the whole run
makes a task's overhead a fraction of a second.

--retries N / --retry-delay SECONDS set every task's retries / retry_delay before the
run: `dags test` honours retries and really waits retry_delay between tries (it polls
once a second), so a DAG with retries=3 and a 5-minute delay takes 15 minutes to fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path


def _install_deadline_fix() -> None:
    from airflow.models.deadline_alert import DeadlineAlert as DeadlineAlertModel

    # A bound classmethod (wrapped by provide_session).
    original = DeadlineAlertModel.get_by_id

    def get_by_id(cls, deadline_alert_id, session=None):
        if isinstance(deadline_alert_id, dict):
            data = deadline_alert_id.get("__var", deadline_alert_id)
            return cls(
                reference=data["reference"],
                interval=data["interval"],
                callback_def=data["callback"],
            )
        if session is None:
            return original(deadline_alert_id)
        return original(deadline_alert_id, session=session)

    DeadlineAlertModel.get_by_id = classmethod(get_by_id)


def _install_dag_callback_fix() -> None:
    from airflow.models.dagrun import DagRun
    from airflow.sdk.definitions.dag import DAG as SdkDag

    tested: dict[str, SdkDag] = {}
    original_test = SdkDag.test
    original_execute = DagRun.execute_dag_callbacks

    def test(self, *args, **kwargs):
        tested[self.dag_id] = self
        return original_test(self, *args, **kwargs)

    def execute_dag_callbacks(self, dag, *args, **kwargs):
        sdk_dag = tested.get(getattr(dag, "dag_id", None))
        if sdk_dag is not None and not isinstance(dag, SdkDag):
            dag = sdk_dag
        return original_execute(self, dag, *args, **kwargs)

    SdkDag.test = test
    DagRun.execute_dag_callbacks = execute_dag_callbacks


def _install_retry_override(retries: int | None, delay: float | None) -> None:
    from datetime import timedelta

    from airflow.sdk.definitions.dag import DAG as SdkDag

    original_test = SdkDag.test

    def test(self, *args, **kwargs):
        for t in self.tasks:
            if retries is not None:
                t.retries = retries
            if delay is not None:
                t.retry_delay = timedelta(seconds=delay)
                t.max_retry_delay = None
        return original_test(self, *args, **kwargs)

    SdkDag.test = test


def _install_api_reuse() -> None:
    from airflow.sdk.execution_time import supervisor

    original = supervisor.in_process_api_server
    shared: list = []

    def in_process_api_server():
        if not shared:
            shared.append(original())
        return shared[0]

    supervisor.in_process_api_server = in_process_api_server


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _report(dag_id: str) -> dict:
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun)
            .where(DagRun.dag_id == dag_id)
            .order_by(DagRun.id.desc())
            .limit(1)
        ).first()
        if run is None:
            return {"run": None, "task_instances": []}
        tis = session.scalars(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id
            )
        ).all()
        return {
            "run": {
                "run_id": run.run_id,
                "state": str(run.state) if run.state is not None else None,
                "logical_date": _iso(run.logical_date),
                "run_type": str(run.run_type),
                "start_date": _iso(run.start_date),
                "end_date": _iso(run.end_date),
            },
            "task_instances": [
                {
                    "task_id": ti.task_id,
                    "map_index": ti.map_index,
                    "state": str(ti.state) if ti.state is not None else None,
                    "try_number": ti.try_number,
                    "operator": ti.operator,
                    "start_date": _iso(ti.start_date),
                    "end_date": _iso(ti.end_date),
                    "duration": ti.duration,
                }
                for ti in sorted(tis, key=lambda t: (t.task_id, t.map_index))
            ],
        }


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv or argv.index("--") < 1:
        sys.stderr.write(__doc__)
        return 2
    ours, airflow_args = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    parser = argparse.ArgumentParser(prog="dags_test.py")
    parser.add_argument("report")
    parser.add_argument("--no-deadline-fix", action="store_true")
    parser.add_argument("--no-callback-fix", action="store_true")
    parser.add_argument("--no-api-reuse", action="store_true")
    parser.add_argument("--retries", type=int)
    parser.add_argument("--retry-delay", type=float)
    opts = parser.parse_args(ours)
    report_file = Path(opts.report)
    if not airflow_args:
        sys.stderr.write("dags_test.py: no DAG_ID after --\n")
        return 2
    dag_id = airflow_args[0]

    exit_code = 0
    try:
        if not opts.no_deadline_fix:
            _install_deadline_fix()
        if not opts.no_callback_fix:
            _install_dag_callback_fix()
        if not opts.no_api_reuse:
            _install_api_reuse()
        if opts.retries is not None or opts.retry_delay is not None:
            _install_retry_override(opts.retries, opts.retry_delay)
        from airflow.__main__ import main as airflow_main

        sys.argv = ["airflow", "dags", "test", *airflow_args]
        result = airflow_main()
        exit_code = result if isinstance(result, int) else 0
    except SystemExit as e:  # what `python -m`/the console script would do with it
        if e.code is None:
            exit_code = 0
        elif isinstance(e.code, int):
            exit_code = e.code
        else:
            sys.stderr.write(f"{e.code}\n")
            exit_code = 1
    except BaseException:
        traceback.print_exc()
        exit_code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()

    report: dict = {
        "exit_code": exit_code,
        "dag_id": dag_id,
        "deadline_fix": not opts.no_deadline_fix,
        "callback_fix": not opts.no_callback_fix,
        "api_reuse": not opts.no_api_reuse,
        "retries": opts.retries,
        "retry_delay": opts.retry_delay,
    }
    try:
        report.update(_report(dag_id))
    except Exception as e:  # no DB, no such table, ...
        report.update({"run": None, "task_instances": [], "report_error": repr(e)})
    report_file.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
