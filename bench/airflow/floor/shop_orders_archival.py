# Hand-written equivalent of pipegen's shop_orders archival DAG (the benchmark's floor).
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG, Asset, AsyncCallback, DeadlineAlert, DeadlineReference

DEADLINE_TEXT = "[pipegen] shop_orders_archival_orders_daily missed its deadline: a run was not done 0:30:00 after it was queued"

with DAG(
    dag_id="shop_orders_archival_orders_daily",
    schedule="@daily",
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
):
    SparkSubmitOperator(
        task_id="orders_daily",
        conn_id="spark_default",
        application=str(Path(__file__).parent.parent / "spark/orders_daily.py"),
        name="pipegen.shop_orders.orders_daily",
        deploy_mode="cluster",
        packages="org.apache.hadoop:hadoop-aws:3.4.1,org.apache.spark:spark-avro_2.13:4.0.0,org.apache.spark:spark-sql-kafka-0-10_2.13:4.0.0",
        py_files='{{ var.value.get("PIPEGEN_RUNTIME_PY_FILES", "") }}',
        conf={
            "spark.archives": "hdfs:///pipegen/envs/pipegen-env.tar.gz#environment",
            "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
            "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
            "spark.pyspark.python": "./environment/bin/python",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.shuffle.partitions": "16",
            "spark.yarn.queue": "streaming",
        },
        application_args=[
            "--bootstrap-servers",
            '{{ conn.kafka_default.extra_dejson["bootstrap.servers"] }}',
        ],
        env_vars={"SCHEMA_REGISTRY_URL": "{{ var.value.SCHEMA_REGISTRY_URL }}"},
        inlets=[Asset("kafka://kafka_default/orders.raw")],
    )
