// Documentation of `tests` (pipegen test); see index.mjs. The same keys make the whole of a
// sibling `<spec>.tests.yaml` (schema/pipegen.v1.tests.schema.json).

const rows = (what) => `${what} Only the columns a row names are compared; [] expects none.`;

export default {
  tests: {
    description:
      "Tests of the streams by name, run by `pipegen test` on local Spark through the generated jobs' own code: given records in micro-batches, the rows the sinks and the dead-letter topic must hold. Also accepted in a sibling file `<spec>.tests.yaml` holding only `tests:`. They change no generated file.",
    examples: [
      {
        cancelled_orders_are_not_counted: {
          stream: "orders_per_minute",
          given: [
            {
              batch: [
                {
                  order_id: 1,
                  customer_id: "c1",
                  amount: "10.00",
                  status: "NEW",
                  updated_at: "2024-01-01T00:00:10Z",
                },
                {
                  order_id: 2,
                  customer_id: "c1",
                  amount: "5.00",
                  status: "CANCELLED",
                  updated_at: "2024-01-01T00:00:20Z",
                },
              ],
            },
          ],
          expect: { sinks: { "analytics.orders_per_minute": [{ customer_id: "c1", orders: 1 }] } },
        },
      },
    ],
  },
  "tests.*": "One test, named by its key (`pipegen test --only <name>` runs it alone).",
  "tests.*.stream": {
    description: "The stream under test: its generated job runs on the given records.",
    examples: ["orders_per_minute"],
  },
  "tests.*.doc": "Free text: what the test shows.",
  "tests.*.given":
    "The records on the stream's source topic, in micro-batches fed one per trigger in this order, so that watermarks, late records, dedupe and windows behave as in production.",
  "tests.*.given[]": "One micro-batch.",
  "tests.*.given[].batch":
    'The records of one micro-batch in topic order (offsets count up from 0 across the batches): each the record\'s columns, encoded as the topic carries them (Avro in the Confluent wire format, or JSON), or {raw: "text"}, a message of exactly those bytes.',
  "tests.*.lookups":
    "The tables of the stream's lookup joins, by `<connection>.<table>` as the join names them: the rows the join finds instead of the database's.",
  "tests.*.lookups.*": "The rows of one lookup table, with the join's `on` and `select` columns.",
  "tests.*.expect": "What the stream must have written once the batches are done.",
  "tests.*.expect.sinks":
    "Expected rows by sink: `<connection>.<table>` (or `.<collection>`, `.<path>` for files) or the Kafka topic's name. A sink not named here is not checked.",
  "tests.*.expect.sinks.*": rows(
    "Every row the sink holds after the last batch: an upsert sink (a table with mode upsert, MongoDB, Cassandra) the last row per key, as the store would; an append table, a Kafka topic and files every row written.",
  ),
  "tests.*.expect.deadLetters": rows(
    "Every record the stream dead-letters: `reason` (the pipegen.reason header, exactly), `raw` (its bytes as text) and any column of the given record it was.",
  ),
  "tests.*.ordered": {
    description:
      "Compare rows in the order they were written (upsert sinks: in the order their keys were first written). Default: false, as a multiset, order-free.",
    default: false,
  },
  "#testRow":
    'One record or row by column name. In `given`, `{raw: "text"}` alone is a message of exactly those bytes (UTF-8), whatever the topic\'s format.',
  "#testRow.*": "A column's value.",
  "#testValue":
    'A column\'s value as YAML writes it: a number, text, true/false or null. Decimals as a number or text ("10.00"), timestamps as ISO-8601 text ("2024-01-01T00:00:10Z"; without a zone: UTC), dates as "2024-01-01", bytes as base64 text.',
};
