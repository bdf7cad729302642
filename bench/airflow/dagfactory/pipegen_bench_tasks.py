"""The task callables of the dag-factory configs (shop_orders.yaml): pipegen-runtime's work,
with the pipeline's data as arguments (a config cannot hold Python). On the loader's path."""


def apply_topics(kafka_conn_id, manifest):
    from pipegen_runtime import airflow as runtime

    runtime.apply_topics(kafka_conn_id, manifest)


def register_schema(subject, schema_file, compatibility):
    from pipegen_runtime import airflow as runtime

    return runtime.register_schema("schema_registry_default", subject, schema_file, compatibility)


def _flow(nifi_conn_id, group, flow_file, position=(0, 0), from_connections=None):
    from pipegen_runtime import airflow as runtime

    return runtime.NifiFlow(nifi_conn_id, group, flow_file, tuple(position), from_connections or {})


def deploy_nifi_flow(nifi_conn_id, group, flow_file, position, from_connections, params=None):
    from pipegen_runtime import airflow as runtime

    flow = _flow(nifi_conn_id, group, flow_file, position, from_connections)
    update = bool((params or {}).get("update_nifi_secrets"))
    return runtime.deploy_nifi_flow(flow, update_secrets=update)


def start_nifi_flow(nifi_conn_id, group, flow_file, group_id):
    from pipegen_runtime import airflow as runtime

    runtime.start_nifi_flow(_flow(nifi_conn_id, group, flow_file), group_id)


def check_freshness(kind, job, topic, group, freshness_s, alerts):
    from datetime import timedelta

    from pipegen_runtime import freshness

    watch = freshness.Watch(kind, job, topic, group, timedelta(seconds=freshness_s))
    return freshness.check_from_airflow("kafka_default", [watch], alerts=alerts)
