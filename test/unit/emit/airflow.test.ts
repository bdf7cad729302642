// The Airflow target: which DAG files each pipeline gets, that they parse and are clean, that
// no secret value reaches them, and that every spec value arrives exactly: in Python literals
// (read back with python3's ast) and, where Airflow renders a field with Jinja when a task runs,
// after that rendering too (with jinja2's sandbox, when python3 has jinja2).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { pyTimedeltaText, timedelta } from "../../../src/emit/airflow/settings.js";
import { RUNTIME_VERSION } from "../../../src/emit/shared/runtime.js";
import { dagIds } from "../../../src/ir/names.js";
import {
  jinjaConnectionExtra,
  jinjaSecret,
  jinjaText,
  jinjaVariable,
} from "../../../src/emit/airflow/jinja.js";
import { formatWhole, lintPython } from "../../../src/format/python.js";
import { inEngineCache } from "../engine-cache.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function compileSpec(
  spec: object | string,
  fileName = "spec.yaml",
  dir?: string,
): Record<string, string> {
  if (!dir) {
    dir = mkdtempSync(path.join(tmpdir(), "pipegen-airflow-"));
    dirs.push(dir);
  }
  const file = path.join(dir, fileName);
  writeFileSync(file, typeof spec === "string" ? spec : stringify(spec));
  const r = compilePaths([file], { out: path.join(dir, "generated") });
  expect(r.diagnostics).toEqual([]);
  return Object.fromEntries(r.outputs[0]!.files.map((f) => [f.path, f.content]));
}

const airflowFiles = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).filter(([p]) => p.includes("/airflow/")));

/** A Python value read back from the source: constants as they are, calls and names as objects. */
type Py =
  | string
  | number
  | boolean
  | null
  | Py[]
  | { [k: string]: Py }
  | { $call: string; args: Py[]; kwargs: Record<string, Py> }
  | { $name: string }
  | { $expr: string };

interface PyModule {
  error?: string;
  /** Module-level NAME = value assignments. */
  assigns: Record<string, Py>;
  /** Every call of these functions anywhere in the module, in source order. */
  calls: Array<{ $call: string; args: Py[]; kwargs: Record<string, Py> }>;
  comments: string[];
}

const READ = String.raw`
import ast, io, json, sys, tokenize
CALLS = {"DAG", "SparkSubmitOperator", "SmtpNotifier", "SlackWebhookNotifier", "Asset",
         "DeadlineAlert", "AsyncCallback", "timedelta", "datetime", "NifiFlow"}
def conv(n):
    if isinstance(n, ast.Constant):
        return n.value
    if isinstance(n, (ast.List, ast.Tuple)):
        return [conv(e) for e in n.elts]
    if isinstance(n, ast.Dict):
        if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in n.keys):
            return {k.value: conv(v) for k, v in zip(n.keys, n.values)}
        return {"$expr": ast.unparse(n)}
    if isinstance(n, ast.Call):
        return {"$call": ast.unparse(n.func), "args": [conv(a) for a in n.args],
                "kwargs": {k.arg: conv(k.value) for k in n.keywords}}
    if isinstance(n, ast.Name):
        return {"$name": n.id}
    return {"$expr": ast.unparse(n)}
out = {}
for p in json.loads(sys.stdin.read()):
    try:
        src = open(p, "rb").read()
        tree = ast.parse(src, filename=p)
        assigns = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigns[node.targets[0].id] = conv(node.value)
        ordered = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
        calls = [conv(n) for n in ordered if ast.unparse(n.func) in CALLS
                 or ast.unparse(n.func).startswith("register_schema.override(")]
        comments = [t.string for t in tokenize.tokenize(io.BytesIO(src).readline) if t.type == tokenize.COMMENT]
        out[p] = {"assigns": assigns, "calls": calls, "comments": comments}
    except Exception as e:
        out[p] = {"error": repr(e), "assigns": {}, "calls": [], "comments": []}
sys.stdout.write(json.dumps(out, ensure_ascii=True))
`;

/** Parses the files with python3 (as Python reads them: from bytes) and reads their values back. */
function readPython(files: Record<string, string>): Record<string, PyModule> {
  const dir = mkdtempSync(path.join(tmpdir(), "pipegen-airflow-py-"));
  dirs.push(dir);
  const paths = Object.keys(files).map((rel, i) => {
    const p = path.join(dir, `${i}.py`);
    writeFileSync(p, files[rel]!);
    return [rel, p] as const;
  });
  const r = spawnSync("python3", ["-c", READ], {
    input: JSON.stringify(paths.map(([, p]) => p)),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  const parsed = JSON.parse(r.stdout) as Record<string, PyModule>;
  return Object.fromEntries(paths.map(([rel, p]) => [rel, parsed[p]!]));
}

// jinja2: the Airflow venv of the e2e install has it (CI installs the engines before the unit
// tests); else whatever python3 has. In CI a missing jinja2 fails the test instead of skipping it.
const jinjaPython = [inEngineCache("venv-airflow", "bin", "python"), "python3"].find(
  (py) => spawnSync(py, ["-c", "import jinja2.sandbox"], { encoding: "utf8" }).status === 0,
);
const hasJinja2 = jinjaPython !== undefined || !!process.env.CI;

/**
 * Renders each template as Airflow does (a jinja2 SandboxedEnvironment; Airflow's DAG
 * environment keeps a trailing newline, a bare one does not: both), with no context.
 */
function renderJinja(templates: string[]): Array<{ keep: string; drop: string }> {
  const code = String.raw`
import json, sys
from jinja2.sandbox import SandboxedEnvironment
keep, drop = SandboxedEnvironment(keep_trailing_newline=True), SandboxedEnvironment()
out = [{"keep": keep.from_string(t).render(), "drop": drop.from_string(t).render()} for t in json.loads(sys.stdin.read())]
sys.stdout.write(json.dumps(out, ensure_ascii=True))
`;
  const r = spawnSync(jinjaPython ?? "python3", ["-c", code], {
    input: JSON.stringify(templates),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Array<{ keep: string; drop: string }>;
}

/** Every hostile ingredient; `|` separates them for readable diffs. */
const H = [
  "'single'",
  '"double"',
  '"""triple double"""',
  "'''triple single'''",
  "back\\slash \\n \\x00 \\u2028 \\N{EM DASH} \\",
  "LF\nCRLF\r\nCR\rTAB\tNUL\0ESC\x1b[31mDEL\x7f",
  "NEL\u0085LS\u2028PS\u2029BOM\ufeffNBSP\u00a0",
  "{{py_str x}} }} {{{raw}}} {{! c}} {{ var.value.x }}",
  "{% raw %}{% endraw %} {%- if 1 -%} {# comment #} {{'{'}}",
  "${env:EVIL} ${secret:EVIL} ${HOME} $(id)",
  "# not a comment",
  "%s %(prog)s %% {x} {{y}}",
  "é 中 😀 🇫🇷",
  "lone \ud800 \udfff surrogates",
  "trailing newline\n",
].join(" | ");
/** For fields that take ${env:..} references: "${" may only open one. */
const HREF = H.replaceAll("${", "$ {");
const EMAILS = ["a{{b}}\"'\\{%x%}@ex{#c#}.com", "o'brien+{x}@example.com", "plain@example.com"];

const hostileSpec = {
  pipegen: 1,
  pipeline: "hostile",
  description: H,
  owner: H,
  platform: {
    spark: { conf: { "spark.hostile.value": H, "spark.some.number": 3, "spark.some.flag": true } },
    airflow: { kafkaConnection: "kafka_main", sparkConnection: "spark_main" },
  },
  connections: {
    lake: {
      type: "s3",
      bucket: "lake-bucket",
      endpoint: HREF,
      region: "eu-1",
      pathStyle: true,
      accessKey: "${secret:LAKE_KEY}",
      secretKey: "${secret:LAKE_SECRET}",
    },
    db: {
      type: "postgres",
      host: "${env:DB_HOST}",
      database: "d",
      user: "u",
      password: "${secret:DB_PASSWORD}",
    },
  },
  schemas: {
    rec: {
      key: ["id"],
      fields: { id: { type: "long", required: true }, at: { type: "timestamp", required: true } },
    },
  },
  topics: {
    "orders.raw": { schema: "rec", partitions: 1 },
    orders_raw: { schema: "rec", partitions: 1, compatibility: "FULL" },
    "out-topic": { partitions: 1 },
  },
  streams: {
    running: {
      from: { topic: "orders.raw" },
      onInvalid: "drop",
      doc: H,
      to: [{ topic: "out-topic" }, { connection: "db", table: "t" }],
      freshness: "90s",
    },
    batch: {
      from: { topic: "orders_raw" },
      onInvalid: "drop",
      to: [{ topic: "out-topic" }],
      trigger: { availableNow: true, schedule: "0 6 * * mon-fri" },
      resources: { executors: 3, executorCores: 2, executorMemory: "2g", driverMemory: "1g" },
    },
  },
  archive: {
    export: {
      from: { topic: "orders.raw" },
      to: { connection: "lake", format: "json" },
      schedule: "@weekly",
      doc: H,
    },
  },
  orchestration: {
    schedule: "@continuous",
    startDate: "2024-02-29",
    retries: 4,
    retryDelay: "250ms",
    deadline: "1w",
    maxActiveRuns: 3,
    tags: ["a:b", "c.d-e"],
    alerts: { email: EMAILS, slack: { connection: "hooks", channel: "#x" } },
  },
};

const hostileFileName = "sp\"ec 'q' {{py_str x}} {% raw %} \u2028ls\r\nline2 é.yaml";

// ---------------------------------------------------------------------------------------------

describe("the Airflow target on the examples", () => {
  const r = compilePaths(["specs"], {
    out: mkdtempSync(path.join(tmpdir(), "pipegen-airflow-ex-")),
  });
  const files = Object.fromEntries(
    r.outputs.flatMap((o) => o.files).map((f) => [f.path, f.content] as const),
  );
  const dags = airflowFiles(files);

  it("writes an ingestion, a processing and an archival DAG file per pipeline, and a monitoring DAG where a job sets freshness", () => {
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(dags).sort()).toEqual(
      ["iot_sensors", "shop_orders", "user_activity"].flatMap((p) => [
        `${p}/airflow/${p}_archival.py`,
        `${p}/airflow/${p}_ingestion.py`,
        ...(p === "shop_orders" ? [`${p}/airflow/${p}_monitoring.py`] : []),
        `${p}/airflow/${p}_processing.py`,
      ]),
    );
  });

  it("every file parses with python3, is what ruff format writes, and ruff check is clean", () => {
    const py = readPython(dags);
    for (const [p, content] of Object.entries(dags)) {
      expect(py[p]!.error, p).toBeUndefined();
      expect(formatWhole(p, content), p).toBe(content);
      expect(lintPython(content), p).toEqual([]);
    }
  });

  it("reads nothing at import time: file access only inside functions", () => {
    for (const [p, content] of Object.entries(dags)) {
      const topLevel = content.split("\n").filter((l) => /^\S/.test(l));
      expect(topLevel.join("\n"), p).not.toMatch(
        /open\(|read_text|read_bytes|Variable\.get|Connection\.get|\.exists\(/,
      );
    }
  });

  it("holds no secret value and no reference syntax; secrets are named only for a masked lookup", () => {
    const secrets = [
      "SHOP_DB_PASSWORD",
      "ANALYTICS_PASSWORD",
      "HISTORIAN_PASSWORD",
      "METRICS_DB_PASSWORD",
      "CRM_MONGO_URI",
      "PROFILES_MONGO_URI",
    ];
    // Values in the environment of the build: pipegen must not read them into any file.
    const values = secrets.map((s) => `value-of-${s}-7c1d`);
    const saved = secrets.map((s) => process.env[s]);
    secrets.forEach((s, i) => (process.env[s] = values[i]));
    try {
      const again = compilePaths(["specs"], {
        out: mkdtempSync(path.join(tmpdir(), "pipegen-airflow-sec-")),
      });
      const all = again.outputs.flatMap((o) => o.files).filter((f) => f.path.includes("/airflow/"));
      for (const f of all) {
        for (const v of values) expect(f.content, f.path).not.toContain(v);
        expect(f.content, f.path).not.toContain("${secret:");
        expect(f.content, f.path).not.toContain("${env:");
        for (const s of secrets) {
          const uses = f.content.split(s).length - 1;
          const masked = f.content.split(`"{{ var.value.${s} | pipegen_secret }}"`).length - 1;
          // The env_vars key and the masked lookup, nothing else.
          expect(uses, `${f.path} ${s}`).toBe(masked * 2);
        }
      }
    } finally {
      secrets.forEach((s, i) =>
        saved[i] === undefined ? delete process.env[s] : (process.env[s] = saved[i]),
      );
    }
  });

  it("shop_orders ingestion: the NiFi flow's parameters for the Kafka and registry references come from the connections", () => {
    const m = readPython(dags)["shop_orders/airflow/shop_orders_ingestion.py"]!;
    // Made when a task runs (nifi_flow()), not when Airflow parses the file.
    expect(m.calls.filter((c) => c.$call === "NifiFlow")).toEqual([
      {
        $call: "NifiFlow",
        args: [],
        kwargs: {
          conn_id: "nifi_default",
          group: "shop_orders",
          flow: {
            $call: "Path",
            args: [{ $name: "GENERATED" }, "nifi", "shop_orders.flow.json"],
            kwargs: {},
          },
          position: [900, 500],
          from_connections: { KAFKA_BOOTSTRAP_SERVERS: "kafka", SCHEMA_REGISTRY_URL: "registry" },
          kafka_conn_id: { $name: "KAFKA_CONN_ID" },
          registry_conn_id: { $name: "SCHEMA_REGISTRY_CONN_ID" },
        },
      },
    ]);
    expect(m.assigns).toMatchObject({
      KAFKA_CONN_ID: "kafka_default",
      SCHEMA_REGISTRY_CONN_ID: "schema_registry_default",
    });
    // Every example has ingest entries: all deploy a flow.
    for (const p of ["iot_sensors", "user_activity"])
      expect(dags[`${p}/airflow/${p}_ingestion.py`]).toContain("def deploy_nifi_flow(");
  });

  it("ingestion DAGs pin pipegen-runtime: the header says which version and how to install it, require() right after the imports", () => {
    for (const p of ["iot_sensors", "shop_orders", "user_activity"]) {
      const file = `${p}/airflow/${p}_ingestion.py`;
      const lines = dags[file]!.split("\n");
      expect(lines.slice(2, 4), file).toEqual([
        `# Needs pipegen-runtime==${RUNTIME_VERSION} in the Airflow environment: add it to the`,
        "# image's requirements (pip install ./runtime from the pipegen repository).",
      ]);
      const imports = lines.flatMap((l, i) => (/^(import|from) /.test(l) ? [i] : []));
      // (A parenthesized import ends with its ")" line.)
      const afterImports = lines.slice(imports.at(-1)! + 1).find((l) => /^\S/.test(l) && l !== ")");
      expect(afterImports, file).toBe(
        `pipegen_runtime.require("${RUNTIME_VERSION}", "${p}_ingestion.py")`,
      );
      // Its package imported only: a different runtime fails at require(); the tasks import
      // pipegen_runtime.airflow when they run, not when Airflow parses the file.
      expect(
        lines.filter((l) => /^(import|from) /.test(l) && l.includes("pipegen_runtime")),
        file,
      ).toEqual(["import pipegen_runtime"]);
      expect(dags[file], file).toContain("    from pipegen_runtime import airflow as runtime\n");
    }
  });

  it("the processing and archival DAGs do not need the runtime", () => {
    for (const [p, content] of Object.entries(dags))
      if (p.endsWith("_processing.py") || p.endsWith("_archival.py"))
        expect(content, p).not.toContain("pipegen_runtime");
  });

  it("shop_orders: the Spark settings are the .submit.json's, baked in", () => {
    const py = readPython(dags)["shop_orders/airflow/shop_orders_processing.py"]!;
    const submit = JSON.parse(files["shop_orders/spark/orders_per_minute.submit.json"]!);
    const op = py.calls.find((c) => c.$call === "SparkSubmitOperator")!;
    expect(op.kwargs).toEqual({
      task_id: "orders_per_minute",
      conn_id: { $name: "SPARK_CONN_ID" },
      application: {
        $call: "os.path.join",
        args: [{ $name: "SPARK_DIR" }, "orders_per_minute.py"],
        kwargs: {},
      },
      name: submit.name,
      deploy_mode: submit.deployMode,
      packages: submit.packages.join(","),
      // The runtime's zip when the variable names one; "" (no --py-files) when it is unset.
      py_files: '{{ var.value.get("PIPEGEN_RUNTIME_PY_FILES", "") }}',
      conf: submit.conf,
      num_executors: 4,
      executor_cores: 2,
      executor_memory: "4g",
      // driver_memory: not set in the spec, so not given (the operator's default, None).
      application_args: ["--bootstrap-servers", { $name: "KAFKA_BOOTSTRAP" }],
      env_vars: {
        ANALYTICS_DB_HOST: "{{ var.value.ANALYTICS_DB_HOST }}",
        ANALYTICS_DB_PORT: "{{ var.value.ANALYTICS_DB_PORT }}",
        ANALYTICS_PASSWORD: "{{ var.value.ANALYTICS_PASSWORD | pipegen_secret }}",
        // The job reads Avro: the versions of its topic's schema, at start.
        SCHEMA_REGISTRY_URL: "{{ var.value.SCHEMA_REGISTRY_URL }}",
      },
      inlets: [{ $call: "Asset", args: ["kafka://kafka_default/orders.raw"], kwargs: {} }],
      outlets: [{ $call: "Asset", args: ["kafka://kafka_default/orders.per_minute"], kwargs: {} }],
      retry_exponential_backoff: 2.0,
      max_retry_delay: { $call: "timedelta", args: [], kwargs: { hours: 1 } },
    });
    expect(py.assigns.KAFKA_BOOTSTRAP).toBe(
      '{{ conn.kafka_default.extra_dejson["bootstrap.servers"] }}',
    );
    const dag = py.calls.find((c) => c.$call === "DAG")!;
    expect(dag.kwargs).toMatchObject({
      dag_id: dagIds.processing("shop_orders", "orders_per_minute"),
      schedule: "@continuous",
      max_active_runs: 1,
      catchup: false,
    });
    expect(dag.kwargs).not.toHaveProperty("deadline");
  });
});

// ---------------------------------------------------------------------------------------------

describe("a spec whose every free-text value is hostile, in a hostile file name", () => {
  const specDir = mkdtempSync(path.join(tmpdir(), "pipegen-airflow-hostile-"));
  dirs.push(specDir);
  const files = compileSpec(hostileSpec, hostileFileName, specDir);
  const dags = airflowFiles(files);
  const py = readPython(dags);
  const ingestion = py["hostile/airflow/hostile_ingestion.py"]!;
  const processing = py["hostile/airflow/hostile_processing.py"]!;
  const archival = py["hostile/airflow/hostile_archival.py"]!;

  it("builds the four files, which parse, are formatted and lint clean", () => {
    expect(Object.keys(dags).sort()).toEqual([
      "hostile/airflow/hostile_archival.py",
      "hostile/airflow/hostile_ingestion.py",
      "hostile/airflow/hostile_monitoring.py",
      "hostile/airflow/hostile_processing.py",
    ]);
    for (const [p, content] of Object.entries(dags)) {
      expect(py[p]!.error, p).toBeUndefined();
      expect(formatWhole(p, content), p).toBe(content);
      expect(lintPython(content), p).toEqual([]);
    }
  });

  it("the header names the spec in comment lines only (control characters as ?)", () => {
    for (const [p, content] of Object.entries(dags)) {
      const lines = content.split("\n");
      expect(lines[0], p).toMatch(
        /^# Generated by pipegen from .*sp"ec 'q' \{\{py_str x\}\} \{% raw %\} \?ls\?\?line2 é\.yaml\.$/,
      );
      expect(lines[1], p).toBe("# Do not edit: change the spec and run pipegen build.");
      expect(py[p]!.comments.slice(0, 2), p).toEqual(lines.slice(0, 2));
    }
  });

  it("owner, description, tags, start date, retries and retry delay arrive exactly", () => {
    for (const m of [ingestion, processing, archival]) {
      for (const dag of m.calls.filter((c) => c.$call === "DAG")) {
        const args = dag.kwargs.default_args as Record<string, Py>;
        expect(args.owner).toBe(H);
        expect(args.retries).toBe(4);
        expect(args.retry_delay).toEqual({
          $call: "timedelta",
          args: [],
          kwargs: { milliseconds: 250 },
        });
        expect(args.on_failure_callback).toEqual({ $name: "FAILURE_ALERTS" });
      }
      expect(m.assigns.TAGS).toEqual(["a:b", "c.d-e"]);
      expect(m.assigns.START_DATE).toEqual({
        $call: "datetime",
        args: [2024, 2, 29],
        kwargs: { tzinfo: { $name: "UTC" } },
      });
      expect(m.assigns.DEADLINE).toEqual({ $call: "timedelta", args: [], kwargs: { days: 7 } });
      for (const dag of m.calls.filter((c) => c.$call === "DAG")) {
        const doc = dag.kwargs.doc_md as string;
        expect(doc.startsWith(`${H.trim()}\n\n`), String(dag.kwargs.dag_id)).toBe(true);
        expect(doc.endsWith("."), "never taken for a .md file").toBe(true);
      }
    }
    const stream = processing.calls.find(
      (c) => c.$call === "DAG" && c.kwargs.dag_id === "hostile_processing_running",
    )!;
    expect(stream.kwargs.doc_md as string).toContain(`\n\n${H.trim()}\n\n`);
  });

  it("each DAG's deadline alerts say which DAG missed its deadline, by e-mail and Slack", () => {
    for (const m of [ingestion, processing, archival])
      for (const dag of m.calls.filter((c) => "deadline" in c.kwargs && c.$call === "DAG")) {
        const text = `[pipegen] ${String(dag.kwargs.dag_id)} missed its deadline: a run was not done 7 days, 0:00:00 after it was queued`;
        const alerts = dag.kwargs.deadline as Array<{ kwargs: Record<string, Py> }>;
        const kwargs = alerts.map(
          (a) => (a.kwargs.callback as { kwargs: Record<string, Py> }).kwargs.kwargs,
        );
        expect(kwargs).toEqual([
          {
            to: EMAILS.map(jinjaText),
            smtp_conn_id: "smtp_default",
            subject: text,
            html_content: `<p>${text}.</p>`,
          },
          { slack_webhook_conn_id: "hooks", text },
        ]);
      }
  });

  it("DAG ids, schedules and run limits: @continuous forces one active run; the stream keeps its cron", () => {
    const dags = [ingestion, processing, archival].flatMap((m) =>
      m.calls.filter((c) => c.$call === "DAG"),
    );
    expect(
      dags.map((d) => [
        d.kwargs.dag_id,
        d.kwargs.schedule,
        d.kwargs.max_active_runs,
        "deadline" in d.kwargs,
      ]),
    ).toEqual([
      ["hostile_ingestion", "@continuous", 1, true],
      ["hostile_processing_running", "@continuous", 1, false],
      ["hostile_processing_batch", "0 6 * * mon-fri", 3, true],
      ["hostile_archival_export", "@weekly", 3, true],
    ]);
  });

  it("schema tasks: one per subject, ids made unique when topic names collide", () => {
    const tasks = ingestion.calls.filter((c) => c.$call.startsWith("register_schema.override("));
    expect(tasks.map((t) => [t.$call, t.args])).toEqual([
      [
        "register_schema.override(task_id='orders_raw_986b8d82')",
        ["orders.raw-value", "orders.raw.avsc", "BACKWARD"],
      ],
      [
        "register_schema.override(task_id='orders_raw_f4a4749e')",
        ["orders_raw-value", "orders_raw.avsc", "FULL"],
      ],
    ]);
    expect(ingestion.assigns.TOPICS).toEqual([
      { $call: "Asset", args: ["kafka://kafka_main/orders.raw"], kwargs: {} },
      { $call: "Asset", args: ["kafka://kafka_main/orders_raw"], kwargs: {} },
      { $call: "Asset", args: ["kafka://kafka_main/out-topic"], kwargs: {} },
    ]);
    expect(ingestion.assigns.KAFKA_CONN_ID).toBe("kafka_main");
    // No ingest entries: no NiFi tasks.
    expect(dags["hostile/airflow/hostile_ingestion.py"]).not.toContain("nifi");
  });

  it("template fields hold Jinja text that renders to exactly the spec's value", () => {
    const alerts = processing.assigns.FAILURE_ALERTS as Array<{
      $call: string;
      kwargs: Record<string, Py>;
    }>;
    const smtp = alerts.find((a) => a.$call === "SmtpNotifier")!;
    const slack = alerts.find((a) => a.$call === "SlackWebhookNotifier")!;
    expect(smtp.kwargs.to).toEqual(EMAILS.map(jinjaText));
    expect(slack.kwargs.slack_webhook_conn_id).toBe("hooks");
    const ops = [...processing.calls, ...archival.calls].filter(
      (c) => c.$call === "SparkSubmitOperator",
    );
    const conf = Object.fromEntries(
      ops.map((o) => [o.kwargs.task_id, o.kwargs.conf as Record<string, string>]),
    );
    expect(conf.running!["spark.hostile.value"]).toBe(jinjaText(H));
    expect(conf.running!["spark.some.number"]).toBe("3");
    expect(conf.running!["spark.some.flag"]).toBe("true");
    expect(conf.export).toMatchObject({
      "spark.hostile.value": jinjaText(H),
      "spark.hadoop.fs.s3a.endpoint": jinjaText(HREF),
      "spark.hadoop.fs.s3a.endpoint.region": "eu-1",
      "spark.hadoop.fs.s3a.path.style.access": "true",
      "spark.hadoop.fs.s3a.access.key": "{{ var.value.LAKE_KEY | pipegen_secret }}",
      "spark.hadoop.fs.s3a.secret.key": "{{ var.value.LAKE_SECRET | pipegen_secret }}",
    });
    const batch = ops.find((o) => o.kwargs.task_id === "batch")!;
    expect(batch.kwargs).toMatchObject({
      num_executors: 3,
      executor_cores: 2,
      executor_memory: "2g",
      driver_memory: "1g",
      env_vars: {},
    });
    expect(ops.find((o) => o.kwargs.task_id === "running")!.kwargs.env_vars).toEqual({
      DB_HOST: "{{ var.value.DB_HOST }}",
      DB_PASSWORD: "{{ var.value.DB_PASSWORD | pipegen_secret }}",
      SCHEMA_REGISTRY_URL: "{{ var.value.SCHEMA_REGISTRY_URL }}",
    });
    expect(processing.assigns.KAFKA_BOOTSTRAP).toBe(
      '{{ conn.kafka_main.extra_dejson["bootstrap.servers"] }}',
    );
    expect(processing.assigns.SPARK_CONN_ID).toBe("spark_main");
  });

  it.skipIf(!hasJinja2)(
    "...and Jinja (jinja2's sandbox, as Airflow) renders each back to the value",
    () => {
      const values = [H, HREF, ...EMAILS, ...H.split(" | ")];
      const rendered = renderJinja(values.map(jinjaText));
      rendered.forEach((r, i) => {
        expect(r.keep, JSON.stringify(values[i])).toBe(values[i]);
        expect(r.drop, JSON.stringify(values[i])).toBe(values[i]);
      });
    },
  );

  it("a second build is byte-identical", () => {
    expect(airflowFiles(compileSpec(hostileSpec, hostileFileName, specDir))).toEqual(dags);
  });
});

// ---------------------------------------------------------------------------------------------

describe("what a pipeline gets", () => {
  it("no topics: no DAG at all; topics only: an ingestion DAG without schema or NiFi tasks", () => {
    expect(airflowFiles(compileSpec({ pipegen: 1, pipeline: "empty" }))).toEqual({});
    const only = airflowFiles(
      compileSpec({ pipegen: 1, pipeline: "only", topics: { t: { partitions: 1 } } }),
    );
    expect(Object.keys(only)).toEqual(["only/airflow/only_ingestion.py"]);
    const text = only["only/airflow/only_ingestion.py"]!;
    expect(text).not.toMatch(
      /register_schema|nifi|TaskGroup|deadline|FAILURE_ALERTS|SmtpNotifier/i,
    );
    const m = readPython(only)["only/airflow/only_ingestion.py"]!;
    expect(m.calls.find((c) => c.$call === "DAG")!.kwargs).toMatchObject({
      dag_id: "only_ingestion",
      schedule: "@once",
      tags: { $name: "TAGS" },
    });
    expect(m.calls.find((c) => c.$call === "DAG")!.kwargs.default_args).toEqual({
      owner: "pipegen",
      retries: 2,
      retry_delay: { $call: "timedelta", args: [], kwargs: { minutes: 5 } },
    });
    expect(m.assigns.TAGS).toEqual(["pipegen", "only"]);
  });

  it("a deadline without anyone to alert adds no DeadlineAlert", () => {
    const out = airflowFiles(
      compileSpec({
        pipegen: 1,
        pipeline: "quiet",
        topics: { t: { partitions: 1 } },
        orchestration: { deadline: "30m" },
      }),
    );
    expect(out["quiet/airflow/quiet_ingestion.py"]).not.toContain("Deadline");
  });
});

describe("helpers", () => {
  it.each([
    [250, "milliseconds", 250],
    [1000, "seconds", 1],
    [90_000, "seconds", 90],
    [300_000, "minutes", 5],
    [7_200_000, "hours", 2],
    [604_800_000, "days", 7],
    [1500, "milliseconds", 1500],
  ])("timedelta(%i ms) = %s=%i", (ms, unit, amount) => {
    expect(timedelta(ms)).toEqual({ unit, amount });
  });

  const spans = [
    250, 1000, 59_999, 90_000, 1_800_000, 86_399_000, 86_400_000, 90_000_500, 604_800_000,
  ];
  it("pyTimedeltaText is Python's str(timedelta) (deadline alert texts baked in)", () => {
    const code = `import sys, datetime\nfor a in sys.argv[1:]: print(datetime.timedelta(milliseconds=int(a)))`;
    const r = spawnSync("python3", ["-c", code, ...spans.map(String)], { encoding: "utf8" });
    expect(r.stdout.trim().split("\n")).toEqual(spans.map(pyTimedeltaText));
    expect(pyTimedeltaText(1_800_000)).toBe("0:30:00");
    expect(pyTimedeltaText(604_800_000)).toBe("7 days, 0:00:00");
  });

  it("Jinja text escapes exactly the characters Jinja would act on", () => {
    expect(jinjaText("plain text, } and %} and #} stay")).toBe("plain text, } and %} and #} stay");
    expect(jinjaText("{{x}}")).toBe('{{ "{" }}{{ "{" }}x}}');
    expect(jinjaText("a\r\nb")).toBe('a{{ "\\r" }}{{ "\\n" }}b');
  });

  it("names inside Jinja expressions must be plain names", () => {
    expect(jinjaVariable("DB_HOST")).toBe("{{ var.value.DB_HOST }}");
    expect(jinjaSecret("DB_PASSWORD")).toBe("{{ var.value.DB_PASSWORD | pipegen_secret }}");
    expect(jinjaConnectionExtra("get", "bootstrap.servers")).toBe(
      '{{ conn.get("get").extra_dejson["bootstrap.servers"] }}',
    );
    expect(() => jinjaVariable("x }}{{ 1")).toThrow();
    expect(() => jinjaSecret("a.b")).toThrow();
    expect(() => jinjaConnectionExtra("k", 'x"]')).toThrow();
  });
});
