/** The database services of a flow: a JDBC pool per postgres or mysql connection, a MongoDB client per mongodb one. */
import type { Connection, ValueRef } from "../../ir/types.js";
import { valueRef } from "../../ir/values.js";
import { propertyValue, type Fragment } from "./escape.js";
import { EL, SENSITIVE, type Target } from "./params.js";
import type { Services } from "./services.js";

const JDBC_DIR_DOC =
  "Directory on the NiFi host(s) with the JDBC driver jars (PostgreSQL: org.postgresql:postgresql, MySQL/MariaDB: org.mariadb.jdbc:mariadb-java-client), or a comma-separated list of jar files.";

export const jdbc = {
  postgres: {
    driver: "org.postgresql.Driver",
    scheme: "jdbc:postgresql://",
    port: 5432,
    type: "PostgreSQL",
  },
  // MariaDB Connector/J speaks to MySQL and MariaDB; QueryDatabaseTableRecord's MySQL dialect.
  mysql: {
    driver: "org.mariadb.jdbc.Driver",
    scheme: "jdbc:mariadb://",
    port: 3306,
    type: "MySQL",
  },
} as const;

/** A connection setting as a value for a parameter: a reference, a number, or a boolean's text. */
export function setting(c: Connection, key: string): ValueRef | number | undefined {
  const v = c.settings[key];
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && "kind" in v) return v as ValueRef;
  if (typeof v === "boolean") return { kind: "literal", value: String(v) };
  return undefined;
}

/** The connection's JDBC options as dynamic properties of the pool, sorted by name. */
function jdbcOptionProps(s: Services, c: Connection): Record<string, string> {
  const props: Record<string, string> = {};
  const options = c.settings.options;
  if (!options || typeof options !== "object" || Array.isArray(options) || "kind" in options)
    return props;
  for (const [name, raw] of Object.entries(options as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    const ref = valueRef(String(raw));
    const secret =
      ref.kind === "secret" ||
      (ref.kind === "template" &&
        ref.parts.some((x) => typeof x !== "string" && x.kind === "secret"));
    // JDBC properties are dynamic properties; a secret one goes into a SENSITIVE.<name> property.
    const target = secret ? { el: false, sensitive: true } : EL;
    props[secret ? `SENSITIVE.${name}` : name] = propertyValue(
      s.params.ref(
        ref,
        `${c.name}.options.${name}`,
        `JDBC property ${name} of connection ${c.name}`,
        target,
      ),
      target.el,
    );
  }
  return props;
}

/** The DBCPConnectionPool of a postgres or mysql connection. */
export function databaseService(s: Services, c: Connection): string {
  const kind = jdbc[c.type as "postgres" | "mysql"];
  const named = (key: string, what: string, target: Target, fallback?: number) => {
    const v = setting(c, key) ?? fallback;
    return v === undefined
      ? []
      : s.params.ref(v, `${c.name}.${key}`, `${what} of connection ${c.name}`, target);
  };
  const url: Fragment[] = [
    kind.scheme,
    ...named("host", "Host", EL),
    ":",
    ...named("port", "Port", EL, kind.port),
    "/",
    ...named("database", "Database", EL),
  ];
  const props: Record<string, string> = {
    "Database Connection URL": propertyValue(url, EL.el),
    "Database Driver Class Name": kind.driver,
    "Database Driver Locations": propertyValue(
      [s.params.deployment("jdbc.driver.dir", JDBC_DIR_DOC)],
      EL.el,
    ),
    "Password Source": "PASSWORD",
    "Max Wait Time": "10 sec",
    "Max Total Connections": "4",
    "Validation Query": "SELECT 1",
  };
  const user = setting(c, "user");
  if (user !== undefined) props["Database User"] = propertyValue(named("user", "User", EL), EL.el);
  const password = setting(c, "password");
  if (password !== undefined)
    props.Password = propertyValue(named("password", "Password", SENSITIVE), SENSITIVE.el);
  Object.assign(props, jdbcOptionProps(s, c));
  return s.root.service(`db/${c.name}`, "DBCPConnectionPool", `${c.name} (${c.type})`, {
    comments:
      "Database Driver Locations: a directory with the JDBC driver jar (or a comma-separated list of jars).",
    properties: props,
  });
}

/** The MongoDBControllerService of a mongodb connection. */
export function mongoService(s: Services, c: Connection): string {
  const uri = setting(c, "uri");
  const parts =
    uri === undefined
      ? []
      : s.params.ref(uri, `${c.name}.uri`, `MongoDB URI of connection ${c.name}`, EL);
  const fromEnv = parts
    .filter((x): x is { env: string } => typeof x === "object" && "env" in x)
    .map((x) => x.env);
  return s.root.service(`mongo/${c.name}`, "MongoDBControllerService", `${c.name} (mongodb)`, {
    comments: fromEnv.length
      ? `Mongo URI reads the environment variable(s) ${fromEnv.join(", ")} of the NiFi JVM: a secret that NiFi's Mongo URI property (not sensitive) cannot take from a sensitive parameter.`
      : "",
    properties: {
      "Mongo URI": propertyValue(parts, EL.el),
      "Write Concern": "ACKNOWLEDGED",
    },
  });
}
