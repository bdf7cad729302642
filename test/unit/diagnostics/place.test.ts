import { describe, expect, it } from "vitest";
import { placeOf } from "../../../src/diagnostics/place.js";

describe("a pointer in words, list items counted from 1 as in every message", () => {
  const table: Array<[string, string]> = [
    ["", "the spec"],
    ["/pipeline", "'pipeline'"],
    ["/orchestration/startDate", "'orchestration.startDate'"],
    ["/orchestration/alerts/email/0", "item 1 of 'orchestration.alerts.email'"],
    ["/topics/orders.raw", "topic 'orders.raw'"],
    ["/topics/orders.raw/retention", "'retention' of topic 'orders.raw'"],
    ["/connections/a~1b/port", "'port' of connection 'a/b'"],
    ["/schemas/order/fields/amount/type", "'type' of field 'amount' of schema 'order'"],
    ["/streams/s/steps/2", "step 3 of stream 's'"],
    ["/streams/s/steps/2/window/size", "'window.size' of step 3 of stream 's'"],
    ["/streams/s/steps/0/join/on/1", "item 2 of 'join.on' of step 1 of stream 's'"],
    ["/streams/s/to/1/key", "'key' of sink 2 of stream 's'"],
    ["/streams/s/quality/0/check", "'check' of quality rule 1 of stream 's'"],
    ["/ingest/i/steps/0/route/1/to", "'to' of route 2 of step 1 of ingest 'i'"],
    ["/environments/dev/connections/db/host", "'connections.db.host' of environment 'dev'"],
  ];
  for (const [pointer, words] of table)
    it(pointer || "(root)", () => expect(placeOf(pointer)).toBe(words));
});
