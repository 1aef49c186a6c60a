// Schema registration: a version through the SchemaRegistry port (which enforces the
// compatibility mode), then the ingress topic of the type, so producers can send at once.
// The topic is also ensured when the body is identical to the latest version, so a retry
// after a failed topic creation completes the work.

import type { Admin } from "kafkajs";
import { ingressTopic } from "../../model/topics";
import type { CompatibilityMode } from "../../model/contracts";
import type { RegisterOutcome, SchemaRegistry, SchemaVersion } from "../shared/registry/port";
import { ensureTopic, type TopicSizing } from "../shared/topic-admin";

export interface SchemaRegistration {
  outcome: RegisterOutcome;
  topic: string;
}

export class SchemaAdmin {
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly ingressAdmin: Admin,
    private readonly sizing: TopicSizing,
  ) {}

  async register(
    domain: string,
    event: string,
    schema: Record<string, unknown>,
    options: { compatibility?: CompatibilityMode; containsSensitive?: boolean },
  ): Promise<SchemaRegistration> {
    const topic = ingressTopic({ domain, event });
    const outcome = await this.registry.register(domain, event, schema, options);
    if (outcome.kind !== "incompatible") await ensureTopic(this.ingressAdmin, topic, "ingress", this.sizing);
    return { outcome, topic };
  }

  list(domain: string, event: string): Promise<SchemaVersion[]> {
    return this.registry.listVersions(domain, event);
  }
}
