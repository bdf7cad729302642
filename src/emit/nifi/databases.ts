/** The database services of a flow: a JDBC pool per postgres or mysql connection, a MongoDB client per mongodb one. */
import { nifiJdbcDriverDir } from "../../ir/names.js";
import type { JdbcConnection, MongoConnection } from "../../ir/types.js";
import { propertyValue, type Fragment } from "./escape.js";
import { EL, SENSITIVE, type Target } from "./params.js";
import type { Services } from "./services.js";

const JDBC_DIR_DOC =
  "Directory on the NiFi host(s) with the JDBC driver jars (PostgreSQL: org.postgresql:postgresql, MySQL/MariaDB: org.mariadb.jdbc:mariadb-java-client), or a comma-separated list of jar files.";

export const jdbc = {
  postgres: {
    driver: "org.postgresql.Driver",
    scheme: "jdbc:postgresql://",
    type: "PostgreSQL",
  },
  // MariaDB Connector/J speaks to MySQL and MariaDB; QueryDatabaseTableRecord's MySQL dialect.
  mysql: {
    driver: "org.mariadb.jdbc.Driver",
    scheme: "jdbc:mariadb://",
    type: "MySQL",
  },
} as const;

/** The connection's JDBC options as dynamic properties of the pool, sorted by name. */
function jdbcOptionProps(s: Services, c: JdbcConnection): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [name, ref] of Object.entries(c.options)) {
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
export function databaseService(s: Services, c: JdbcConnection): string {
  const kind = jdbc[c.type];
  const named = (
    key: "host" | "port" | "database" | "user" | "password",
    what: string,
    target: Target,
  ) => {
    const v = c[key];
    return v === null
      ? []
      : s.params.ref(v, `${c.name}.${key}`, `${what} of connection ${c.name}`, target);
  };
  const url: Fragment[] = [
    kind.scheme,
    ...named("host", "Host", EL),
    ":",
    ...named("port", "Port", EL),
    "/",
    ...named("database", "Database", EL),
  ];
  const props: Record<string, string> = {
    "Database Connection URL": propertyValue(url, EL.el),
    "Database Driver Class Name": kind.driver,
    "Database Driver Locations": propertyValue(
      [s.params.deployment(nifiJdbcDriverDir, JDBC_DIR_DOC)],
      EL.el,
    ),
    "Password Source": "PASSWORD",
    "Max Wait Time": "10 sec",
    "Max Total Connections": "4",
    "Validation Query": "SELECT 1",
  };
  props["Database User"] = propertyValue(named("user", "User", EL), EL.el);
  if (c.password !== null)
    props.Password = propertyValue(named("password", "Password", SENSITIVE), SENSITIVE.el);
  Object.assign(props, jdbcOptionProps(s, c));
  return s.root.service(`db/${c.name}`, "DBCPConnectionPool", `${c.name} (${c.type})`, {
    comments:
      "Database Driver Locations: a directory with the JDBC driver jar (or a comma-separated list of jars).",
    properties: props,
  });
}

/** The MongoDBControllerService of a mongodb connection. */
export function mongoService(s: Services, c: MongoConnection): string {
  const parts = s.params.ref(c.uri, `${c.name}.uri`, `MongoDB URI of connection ${c.name}`, EL);
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
