# Hand-written equivalent of pipegen's shop_orders monitoring DAG (the benchmark's floor).
from datetime import UTC, datetime, timedelta

from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG, task

ALERTS = [
    SmtpNotifier(
        to=["oncall@example.com"],
        smtp_conn_id="smtp_default",
        subject='[pipegen] shop_orders: {{ exception | default("the freshness check failed", true) | string | truncate(180) }}',
        html_content='<p>{{ exception | default("", true) | e }}</p><p>Freshness check {{ ti.task_id }} of DAG {{ ti.dag_id }} (pipeline shop_orders), run {{ run_id }}.</p>',
    ),
    SlackWebhookNotifier(
        slack_webhook_conn_id="slack_alerts",
        text=':warning: [pipegen] shop_orders: {{ exception | default("the freshness check failed", true) | string | truncate(180) }} (DAG {{ ti.dag_id }}, run {{ run_id }})',
    ),
]


@task
def check_freshness(kind, job, topic, freshness):
    from pipegen_runtime import freshness as check

    watch = check.Watch(kind, job, topic, f"pipegen.shop_orders.{job}", freshness)
    return check.check_from_airflow("kafka_default", [watch], alerts=ALERTS)


with DAG(
    dag_id="shop_orders_monitoring",
    schedule=timedelta(seconds=150),
    start_date=datetime(2025, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["shop", "orders"],
    default_args={
        "owner": "data-platform@example.com",
        "retries": 0,
        "retry_delay": timedelta(minutes=5),
    },
):
    check_freshness.override(task_id="check_orders_per_minute")(
        "stream", "orders_per_minute", "orders.raw", timedelta(minutes=5)
    )
    check_freshness.override(task_id="check_orders_daily")(
        "archive", "orders_daily", "orders.raw", timedelta(hours=26)
    )
