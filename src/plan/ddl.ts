/**
 * The DDL that brings an existing sink table to what the new build writes, per dialect
 * (PostgreSQL, MySQL/MariaDB, Cassandra), or why no statement can. The job creates its tables
 * only when they are missing, so a table that exists keeps its old shape until this runs.
 */
import type { SinkColumn, SinkState } from "../emit/state/index.js";
import { sqlIdent } from "../emit/shared/escape.js";

type Dialect = "postgres" | "mysql" | "cassandra";

const dialectOf = (s: SinkState): Dialect | null =>
  s.dialect === "postgres" || s.dialect === "mysql" || s.dialect === "cassandra" ? s.dialect : null;

function q(d: Dialect, name: string): string {
  return sqlIdent(name, d === "cassandra" ? "cql" : d);
}

function table(s: SinkState): string {
  const d = dialectOf(s)!;
  return s.object
    .split(".")
    .map((x) => q(d, x))
    .join(".");
}

/** The staging table is made LIKE the sink table when missing: dropped, the job makes it anew. */
function restage(s: SinkState): string[] {
  return s.stage ? [`DROP TABLE IF EXISTS ${q(dialectOf(s)!, s.stage)};`] : [];
}

const notNull = (s: SinkState, c: SinkColumn) => c.required || s.key.includes(c.name);

export function addColumn(s: SinkState, c: SinkColumn): string[] {
  const d = dialectOf(s);
  if (!d || !c.storeType) return [];
  if (d === "cassandra") return [`ALTER TABLE ${table(s)} ADD ${q(d, c.name)} ${c.storeType};`];
  const add = `ALTER TABLE ${table(s)} ADD COLUMN ${q(d, c.name)} ${c.storeType};`;
  const later = notNull(s, c)
    ? [
        `-- then, once every row has a value: ALTER TABLE ${table(s)} ${d === "postgres" ? `ALTER COLUMN ${q(d, c.name)} SET NOT NULL` : `MODIFY COLUMN ${q(d, c.name)} ${c.storeType} NOT NULL`};`,
      ]
    : [];
  return [add, ...later, ...restage(s)];
}

export function dropColumn(s: SinkState, c: SinkColumn): string[] {
  const d = dialectOf(s);
  if (!d) return [];
  if (d === "cassandra") return [`ALTER TABLE ${table(s)} DROP ${q(d, c.name)};`];
  return [
    `ALTER TABLE ${table(s)} DROP COLUMN ${q(d, c.name)};`,
    `-- or, to keep its values: ALTER TABLE ${table(s)} ${d === "postgres" ? `ALTER COLUMN ${q(d, c.name)} DROP NOT NULL` : `MODIFY COLUMN ${q(d, c.name)} ${c.storeType} NULL`};`,
    ...restage(s),
  ];
}

export function retypeColumn(s: SinkState, c: SinkColumn): string[] {
  const d = dialectOf(s);
  if (!d || !c.storeType) return [];
  if (d === "cassandra")
    return [
      `-- Cassandra cannot change a column's type: write the new type to a column of another name (ALTER TABLE ${table(s)} ADD ...) or to a new table`,
    ];
  const n = q(d, c.name);
  return [
    d === "postgres"
      ? `ALTER TABLE ${table(s)} ALTER COLUMN ${n} TYPE ${c.storeType} USING ${n}::${c.storeType};`
      : `ALTER TABLE ${table(s)} MODIFY COLUMN ${n} ${c.storeType}${notNull(s, c) ? " NOT NULL" : " NULL"};`,
    ...restage(s),
  ];
}

export function dropNotNull(s: SinkState, c: SinkColumn): string[] {
  const d = dialectOf(s);
  if (!d || d === "cassandra") return [];
  return [
    d === "postgres"
      ? `ALTER TABLE ${table(s)} ALTER COLUMN ${q(d, c.name)} DROP NOT NULL;`
      : `ALTER TABLE ${table(s)} MODIFY COLUMN ${q(d, c.name)} ${c.storeType} NULL;`,
    ...restage(s),
  ];
}

/** The primary key of a SQL table becomes `key` (none: dropped). */
export function changeKey(b: SinkState, a: SinkState): string[] {
  const d = dialectOf(a);
  if (!d) return [];
  if (d === "cassandra")
    return [
      `-- Cassandra cannot change a table's primary key: write a new table (another 'table:') and copy the rows over (e.g. with DSBulk)`,
    ];
  const cols = a.key.map((k) => q(d, k)).join(", ");
  const tableName = a.object.split(".").pop()!;
  const drop = b.key.length
    ? d === "postgres"
      ? [`DROP CONSTRAINT ${q(d, `${tableName}_pkey`)}`]
      : ["DROP PRIMARY KEY"]
    : [];
  const add = a.key.length ? [`ADD PRIMARY KEY (${cols})`] : [];
  const duplicates = a.key.length
    ? [
        `-- rows that repeat the new key must go first, e.g. SELECT ${cols}, count(*) FROM ${table(a)} GROUP BY ${cols} HAVING count(*) > 1;`,
      ]
    : [];
  return [...duplicates, `ALTER TABLE ${table(a)} ${[...drop, ...add].join(", ")};`, ...restage(a)];
}
