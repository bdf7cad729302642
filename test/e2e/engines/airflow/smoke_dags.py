"""Hand-written Airflow 3 DAGs for test/e2e/airflow-smoke.e2e.test.ts.

The test copies this file into a temp dags folder.

pipegen_smoke_ok    EmptyOperator, a TaskGroup of @task functions with an Asset outlet,
                    an HttpOperator POST (connection webhook_http, a templated
                    variable), a SparkSubmitOperator (the test marks it successful
                    instead of running it) and a DeadlineAlert.
pipegen_smoke_fail  one task fails on purpose (1 retry after 10 minutes: the test
                    shortens the delay): an e-mail through SmtpNotifier (task callback,
                    connection smtp_test) and a Slack-webhook-style POST through
                    SlackWebhookNotifier (DAG callback, connection slack_test).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import (
    DAG,
    Asset,
    AsyncCallback,
    DeadlineAlert,
    DeadlineReference,
    TaskGroup,
    task,
)

# The Kafka provider registers a kafka:// URI scheme: it must be kafka://<host[:port]>/<topic>.
ORDERS_RAW = Asset(name="orders.raw", uri="kafka://broker:9092/orders.raw")


async def smoke_deadline_missed(**kwargs) -> None:
    """Run by the triggerer when a run misses its deadline (not in `dags test`)."""
    print("deadline missed", kwargs)


with DAG(
    dag_id="pipegen_smoke_ok",
    description="pipegen e2e smoke: a successful run",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["pipegen", "smoke"],
    default_args={"owner": "data-platform", "retries": 0},
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=30),
        callback=AsyncCallback(smoke_deadline_missed, kwargs={"pipeline": "smoke"}),
    ),
) as ok_dag:
    start = EmptyOperator(task_id="start")

    with TaskGroup(group_id="work") as work:

        @task(outlets=[ORDERS_RAW])
        def produce() -> int:
            return 41

        @task
        def consume(value: int) -> int:
            return value + 1

        consume(produce())

    notify_http = HttpOperator(
        task_id="notify_http",
        http_conn_id="webhook_http",
        endpoint="/pipeline/done",
        method="POST",
        data=json.dumps(
            {
                "dag_id": "{{ dag.dag_id }}",
                "run_id": "{{ run_id }}",
                "greeting": "{{ var.value.pipegen_smoke_greeting }}",
            }
        ),
        headers={"Content-Type": "application/json"},
    )

    spark_job = SparkSubmitOperator(
        task_id="spark_job",
        application="/nonexistent/orders_per_minute.py",
        conn_id="spark_default",
        name="orders_per_minute",
        conf={"spark.sql.shuffle.partitions": "2"},
    )

    start >> work >> notify_http >> spark_job


with DAG(
    dag_id="pipegen_smoke_fail",
    description="pipegen e2e smoke: a run whose first task fails",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["pipegen", "smoke"],
    default_args={
        "owner": "data-platform",
        "retries": 1,
        "retry_delay": timedelta(minutes=10),
        "on_failure_callback": SmtpNotifier(
            to="oncall@example.com",
            from_email="airflow@example.com",
            subject="[pipegen] {{ ti.dag_id }}.{{ ti.task_id }} failed",
            html_content="<p>Task {{ ti.task_id }} of {{ ti.dag_id }} failed.</p>",
            smtp_conn_id="smtp_test",
        ),
    },
    on_failure_callback=SlackWebhookNotifier(
        slack_webhook_conn_id="slack_test",
        text=":red_circle: {{ dag.dag_id }} failed (run {{ run_id }})",
    ),
) as fail_dag:

    @task
    def boom() -> None:
        raise RuntimeError("failing on purpose")

    @task
    def after() -> None:
        print("never runs")

    boom() >> after()
