/**
 * One ingest's process group: its layout, where its failures go (retried, then tagged and
 * published to the dead-letter topic, or the group's failure port), and the chain
 *   source -> steps -> validation -> message key -> routing -> (validation, split) -> publishers.
 */
import type { Ingest, Pipeline } from "../../ir/types.js";
import { literal } from "./escape.js";
import { GroupBuilder, nifiDuration, type Endpoint, type Position, type Retry } from "./flow.js";
import type { Parameters } from "./params.js";
import { deadLetterPublisher, deadLetterSplitter, validateForTopic } from "./publish.js";
import { routeAndPublish } from "./routing.js";
import type { Services } from "./services.js";
import { source } from "./sources.js";
import { messageKey, step } from "./steps.js";
import { VALIDATION_DETAILS_ATTRIBUTE } from "./validate.js";

/**
 * What a FlowFile on its way to the dead-letter topic holds: Avro records (split into one JSON
 * message each first) or exactly one JSON document (a MongoDB document, published as it is).
 */
export type DeadLetterContent = "avro" | "json";

export interface FailureOptions {
  content?: DeadLetterContent;
  /** The value of pipegen.validation.details (already a property value), when the tag sets it. */
  details?: string;
}

/** What the ingests of a flow share. */
export interface Flow {
  p: Pipeline;
  params: Parameters;
  root: GroupBuilder;
  namespace: string;
  services: Services;
}

export class IngestGroup {
  readonly g: GroupBuilder;
  readonly retry: Retry;
  /** Attributes the steps set, sorted: they become Kafka headers. */
  readonly headerAttributes: string[];
  private failurePort: Endpoint | undefined;
  private deadLetterPublisher: Endpoint | undefined;
  private deadLetterSplit: Endpoint | undefined;
  /** Rows taken in the main column and in the side column (dead-letter tags). */
  private rows = 0;
  private sideRows = 0;

  constructor(
    readonly flow: Flow,
    readonly ing: Ingest,
    position: Position,
  ) {
    this.g = flow.root.child(`ingest/${ing.name}`, ing.name, position, ing.doc ?? "");
    this.retry = { count: ing.onError.retries, backoff: nifiDuration(ing.onError.backoffMs) };
    this.headerAttributes = [
      ...new Set(
        ing.steps.flatMap((s) => (s.kind === "setAttributes" ? Object.keys(s.attributes) : [])),
      ),
    ].sort();
  }

  get services(): Services {
    return this.flow.services;
  }

  /** The next spot in the main column. */
  pos(): Position {
    return { x: 0, y: 200 * this.rows++ };
  }

  /** The row below the main column's last (publishers go side by side there). */
  get nextRow(): number {
    return this.rows;
  }

  private sidePos(): Position {
    return { x: 700, y: 200 * this.sideRows++ };
  }

  private failure(): Endpoint {
    this.failurePort ??= this.g.failurePort("failure", "failure", { x: 1400, y: 0 });
    return this.failurePort;
  }

  /** The regex of the attributes published as Kafka headers (with `extra` alternatives). */
  headerPattern(extra: string[] = []): string | undefined {
    const alternatives = [
      ...extra,
      ...this.headerAttributes.map((a) => a.replace(/[.\-]/g, (c) => `\\${c}`)),
    ];
    return alternatives.length ? `^(?:${alternatives.join("|")})$` : undefined;
  }

  /**
   * Where dead letters holding `content` go, created on first use: the dead-letter publisher
   * (one message per FlowFile), behind a split into one JSON record per FlowFile for Avro
   * content; none without a dead-letter topic.
   */
  private deadLetters(content: DeadLetterContent): Endpoint | undefined {
    const dlq = this.ing.onError.deadLetter;
    if (!dlq) return undefined;
    if (!this.deadLetterPublisher) {
      this.deadLetterPublisher = deadLetterPublisher(this, dlq);
      this.g.connect(this.deadLetterPublisher, ["failure"], this.failure());
    }
    if (content === "json") return this.deadLetterPublisher;
    if (!this.deadLetterSplit) {
      this.deadLetterSplit = deadLetterSplitter(this);
      this.g.connect(this.deadLetterSplit, ["splits"], this.deadLetterPublisher);
      this.g.connect(this.deadLetterSplit, ["failure"], this.failure());
    }
    return this.deadLetterSplit;
  }

  /**
   * Where the failing FlowFiles of `source` go: a tag (pipegen.reason, pipegen.step,
   * pipegen.ingest, and pipegen.validation.details when given) and the dead-letter topic, or
   * the failure port when there is none.
   */
  onFailure(
    source: Endpoint,
    relationships: string[],
    reason: "failure" | "invalid",
    path: string,
    opts: FailureOptions = {},
  ): void {
    const dlq = this.deadLetters(opts.content ?? "avro");
    if (!dlq) {
      this.g.connect(source, relationships, this.failure());
      return;
    }
    const properties: Record<string, string> = {
      "Store State": "Do not store state",
      "pipegen.reason": literal(reason, true),
      "pipegen.step": literal(source.name, true),
      "pipegen.ingest": literal(this.ing.name, true),
    };
    if (opts.details !== undefined) properties[VALIDATION_DETAILS_ATTRIBUTE] = opts.details;
    const tag = this.g.processor(
      `dead-letter/tag/${path}`,
      "UpdateAttribute",
      `dead letter: ${reason} in ${source.name}`,
      { position: this.sidePos(), properties },
    );
    this.g.connect(source, relationships, tag);
    this.g.connect(tag, ["success"], dlq);
  }
}

/** An ingest's process group, in the flow's root group at `position`. */
export function emitIngest(flow: Flow, ing: Ingest, position: Position): void {
  const x = new IngestGroup(flow, ing, position);
  let { next: prev, rel } = source(x);
  ing.steps.forEach((s, i) => {
    if (s.kind === "route") return;
    ({ next: prev, rel } = step(x, s, i, prev, rel));
  });
  ({ next: prev, rel } = validateForTopic(x, { next: prev, rel }));
  const key = messageKey(x, prev, rel);
  routeAndPublish(x, key.next, key.rel, key.field);
}
