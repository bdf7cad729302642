import type { ValueRef } from "../../ir/types.js";
import { isParameterName, literalParameterValue, type Fragment } from "./escape.js";

export interface Parameter {
  name: string;
  description: string;
  sensitive: boolean;
  /** Absent for sensitive parameters and for those the deployment fills in. */
  value?: string;
}

/** Where a value goes: whether the property supports EL and whether it is sensitive. */
export interface Target {
  el: boolean;
  sensitive?: boolean;
}

/**
 * The pipeline's parameter context. Spec values become parameters:
 * - a literal: a parameter named after the setting (`shop_db.host`) holding the value as its
 *   default, so that operators can override it per NiFi instance;
 * - `${env:NAME}`: a parameter named NAME without a value (the deployment sets it; the
 *   stateless engine also reads an environment variable NAME for it);
 * - `${secret:NAME}`: a sensitive parameter named NAME without a value, referenced from
 *   sensitive properties only (NiFi refuses anything else). A secret that a non-sensitive
 *   property needs (MongoDB's "Mongo URI") is read from the NiFi JVM's environment variable
 *   NAME with the expression `${NAME}` instead: it then never is a parameter.
 */
export class Parameters {
  private readonly byName = new Map<string, Parameter>();
  /** Secrets read from the environment by EL, for the flow's comments. */
  readonly envSecrets = new Set<string>();

  constructor(private readonly secretNames: ReadonlySet<string>) {}

  private add(p: Parameter): Fragment {
    if (!isParameterName(p.name)) throw new Error(`not a NiFi parameter name: ${p.name}`);
    const old = this.byName.get(p.name);
    if (old && (old.sensitive !== p.sensitive || old.value !== p.value)) {
      throw new Error(`parameter ${p.name} is defined twice, differently`);
    }
    if (!old) this.byName.set(p.name, p);
    return { param: p.name };
  }

  /** A parameter holding a literal default value. */
  literal(name: string, value: string, description: string, target: Target): Fragment {
    return this.add({
      name,
      description,
      sensitive: false,
      value: literalParameterValue(value, target.el),
    });
  }

  /** A parameter without value, for an environment variable of the spec. */
  env(name: string): Fragment {
    // A name the spec also uses as a secret stays the sensitive parameter's.
    const param = this.secretNames.has(name) ? `env.${name}` : name;
    return this.add({
      name: param,
      description: `From the environment variable ${name} (\${env:${name}} in the spec): set it when deploying.`,
      sensitive: false,
    });
  }

  /** A parameter without value that only the deployment knows (e.g. where the JDBC drivers are). */
  deployment(name: string, description: string): Fragment {
    return this.add({ name, description, sensitive: false });
  }

  secret(name: string, target: Target): Fragment {
    if (target.sensitive) {
      return this.add({
        name,
        description: `Secret \${secret:${name}} of the spec: set it when deploying (never written to a file).`,
        sensitive: true,
      });
    }
    if (!target.el) {
      throw new Error(`secret ${name} is used where NiFi has neither a sensitive property nor EL`);
    }
    this.envSecrets.add(name);
    return { env: name };
  }

  /**
   * The fragments of a spec value: a literal becomes the parameter `literalName`; references
   * become parameters (or, for secrets outside sensitive properties, `${NAME}`).
   */
  ref(
    ref: ValueRef | number,
    literalName: string,
    description: string,
    target: Target,
  ): Fragment[] {
    if (typeof ref === "number")
      return [this.literal(literalName, String(ref), description, target)];
    switch (ref.kind) {
      case "literal":
        return [this.literal(literalName, ref.value, description, target)];
      case "env":
        return [this.env(ref.name)];
      case "secret":
        return [this.secret(ref.name, target)];
      case "template":
        return ref.parts.map((part) =>
          typeof part === "string"
            ? part
            : part.kind === "env"
              ? this.env(part.name)
              : this.secret(part.name, target),
        );
    }
  }

  /** The parameters, sorted by name, as VersionedParameter objects. */
  toJson(): Array<Record<string, unknown>> {
    return [...this.byName.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => ({
        description: p.description,
        name: p.name,
        provided: false,
        sensitive: p.sensitive,
        ...(p.value !== undefined ? { value: p.value } : {}),
      }));
  }

  list(): readonly Parameter[] {
    return [...this.byName.values()];
  }
}

/** A property that supports the Expression Language. */
export const EL: Target = { el: true };
/** A property without the Expression Language. */
export const NO_EL: Target = { el: false };
/** A sensitive property (with the Expression Language). */
export const SENSITIVE: Target = { el: true, sensitive: true };
