# Hand-written equivalent of pipegen's shop_orders ingestion DAG (the benchmark's floor).
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import (
    DAG,
    Asset,
    AsyncCallback,
    DeadlineAlert,
    DeadlineReference,
    Param,
    TaskGroup,
    task,
)

GENERATED = Path(__file__).parent.parent
TOPICS = [
    Asset("kafka://kafka_default/orders.cancelled"),
    Asset("kafka://kafka_default/orders.dlq"),
    Asset("kafka://kafka_default/orders.per_minute"),
    Asset("kafka://kafka_default/orders.raw"),
]


@task(outlets=TOPICS)
def apply_topics():
    from pipegen_runtime import airflow as runtime

    runtime.apply_topics("kafka_default", GENERATED / "kafka/topics.json")


@task
def register_schema(subject, schema_file, compatibility):
    from pipegen_runtime import airflow as runtime

    path = GENERATED / "kafka/schemas" / schema_file
    return runtime.register_schema("schema_registry_default", subject, path, compatibility)


def nifi_flow():
    from pipegen_runtime import airflow as runtime

    return runtime.NifiFlow(
        conn_id="nifi_default",
        group="shop_orders",
        flow=GENERATED / "nifi/shop_orders.flow.json",
        position=(900, 500),
        from_connections={"KAFKA_BOOTSTRAP_SERVERS": "kafka", "SCHEMA_REGISTRY_URL": "registry"},
    )


@task
def deploy_nifi_flow(params=None):
    from pipegen_runtime import airflow as runtime

    update = bool((params or {}).get("update_nifi_secrets"))
    return runtime.deploy_nifi_flow(nifi_flow(), update_secrets=update)


@task
def start_nifi_flow(group_id):
    from pipegen_runtime import airflow as runtime

    runtime.start_nifi_flow(nifi_flow(), group_id)


DEADLINE_TEXT = "[pipegen] shop_orders_ingestion missed its deadline: a run was not done 0:30:00 after it was queued"

with DAG(
    dag_id="shop_orders_ingestion",
    schedule="@once",
    start_date=datetime(2025, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["shop", "orders"],
    default_args={
        "owner": "data-platform@example.com",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "on_failure_callback": [
            SmtpNotifier(
                to=["oncall@example.com"],
                smtp_conn_id="smtp_default",
                subject="[pipegen] shop_orders: {{ ti.dag_id }}.{{ ti.task_id }} failed",
                html_content='<p>Task {{ ti.task_id }} of DAG {{ ti.dag_id }} (pipeline shop_orders) failed on try {{ ti.try_number }} of run {{ run_id }}.</p><p>{{ exception | default("", true) | e }}</p>',
            ),
            SlackWebhookNotifier(
                slack_webhook_conn_id="slack_alerts",
                text=":red_circle: [pipegen] shop_orders: {{ ti.dag_id }}.{{ ti.task_id }} failed (run {{ run_id }}, try {{ ti.try_number }})",
            ),
        ],
    },
    deadline=[
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=30),
            callback=AsyncCallback(
                SmtpNotifier,
                kwargs={
                    "to": ["oncall@example.com"],
                    "smtp_conn_id": "smtp_default",
                    "subject": DEADLINE_TEXT,
                    "html_content": f"<p>{DEADLINE_TEXT}.</p>",
                },
            ),
        ),
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=30),
            callback=AsyncCallback(
                SlackWebhookNotifier,
                kwargs={"slack_webhook_conn_id": "slack_alerts", "text": DEADLINE_TEXT},
            ),
        ),
    ],
    params={"update_nifi_secrets": Param(False, type="boolean")},
):
    topics = apply_topics()
    with TaskGroup("register_schemas") as register_schemas:
        register_schema.override(task_id="orders_cancelled")(
            "orders.cancelled-value", "orders.cancelled.avsc", "BACKWARD"
        )
        register_schema.override(task_id="orders_raw")(
            "orders.raw-value", "orders.raw.avsc", "BACKWARD"
        )
    deployed = deploy_nifi_flow()
    [topics, register_schemas] >> deployed
    start_nifi_flow(deployed)
