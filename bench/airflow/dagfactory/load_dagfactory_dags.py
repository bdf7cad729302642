# airflow dag loader (DagBag's safe mode needs the words "airflow" and "dag" in the file):
# every *.yaml here through dag-factory, then what dag-factory 1.1 has no option for: a list
# of failure notifiers per task (default_args.failure_alerts), the deadline alerts of every
# DAG that is not @continuous (nor marked default_args.no_deadline: the monitoring DAG) and the
# secret filter of the others.
import os
from datetime import timedelta

from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG, AsyncCallback, DeadlineAlert, DeadlineReference

from dagfactory import load_yaml_dags


def pipegen_secret(value):
    from airflow.sdk.log import mask_secret

    mask_secret(value)
    return value


def deadline_alerts(dag_id):
    text = f"[pipegen] {dag_id} missed its deadline: a run was not done 0:30:00 after it was queued"
    return [
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=30),
            callback=AsyncCallback(
                SmtpNotifier,
                kwargs={
                    "to": ["oncall@example.com"],
                    "smtp_conn_id": "smtp_default",
                    "subject": text,
                    "html_content": f"<p>{text}.</p>",
                },
            ),
        ),
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=30),
            callback=AsyncCallback(
                SlackWebhookNotifier,
                kwargs={"slack_webhook_conn_id": "slack_alerts", "text": text},
            ),
        ),
    ]


load_yaml_dags(
    globals_dict=globals(), dags_folder=os.path.dirname(os.path.abspath(__file__)), suffix=[".yaml"]
)
for dag in [v for v in globals().values() if isinstance(v, DAG)]:
    for task in dag.tasks:
        task.on_failure_callback = dag.default_args["failure_alerts"] or None
    if dag.schedule == "@continuous":
        dag.user_defined_filters = {"pipegen_secret": pipegen_secret}
    elif not dag.default_args.get("no_deadline"):
        dag.deadline = deadline_alerts(dag.dag_id)
