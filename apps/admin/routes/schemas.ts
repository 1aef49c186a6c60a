// PUT /v1/schemas/{domain}/{event}: 201 new version, 200 identical to the latest, 409 breaks the
// compatibility mode (problems in `errors`), 400 not a valid draft-07 schema.
// GET the same path: versions, mode and status.

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { compatibilityModes } from "../../../model/contracts";
import { HttpProblem, problems } from "../../shared/http/problem";
import { parseInput } from "../../shared/http/validate";
import { InvalidSchemaError, RegistrationConflictError, type SchemaVersion } from "../../shared/registry/port";
import type { SchemaAdmin } from "../schemas";
import { nameSegment } from "./inputs";
import { ingressTopic } from "../../../model/topics";

const params = z.object({ domain: nameSegment("domain"), event: nameSegment("event") });
const query = z.object({
  compatibility: z.enum(compatibilityModes, { error: `compatibility must be one of ${compatibilityModes.join(", ")}` }).optional(),
  containsSensitive: z.enum(["true", "false"], { error: "containsSensitive must be true or false" }).transform((v) => v === "true").optional(),
});
const schemaBody = z.record(z.string(), z.unknown(), { error: "the body must be a JSON Schema (a JSON object)" });

export function schemaRoutes(app: FastifyInstance, schemas: SchemaAdmin): void {
  app.put("/v1/schemas/:domain/:event", async (request, reply) => {
    const { domain, event } = parseInput(params, request.params, "path");
    const options = parseInput(query, request.query, "query string");
    const body = parseInput(schemaBody, request.body, "request body");
    let registration;
    try {
      registration = await schemas.register(domain, event, body, options);
    } catch (err) {
      if (err instanceof InvalidSchemaError) throw new HttpProblem(400, "invalid-schema", err.message, err.problems.map((p) => ({ path: p.path || "/", message: p.message })));
      if (err instanceof RegistrationConflictError) throw problems.unavailable(err.message);
      throw err;
    }
    const { outcome, topic } = registration;
    if (outcome.kind === "incompatible") {
      throw new HttpProblem(
        409,
        "incompatible-schema",
        `the schema breaks ${outcome.mode} compatibility with version ${outcome.againstVersion} of ${domain}.${event}`,
        outcome.problems.map((p) => ({ path: p.path || "/", message: p.message })),
        { extensions: { compatibility: outcome.mode, againstVersion: outcome.againstVersion } },
      );
    }
    return reply.code(outcome.kind === "created" ? 201 : 200).send({ domain, event, version: outcome.version.version, topic });
  });

  app.get("/v1/schemas/:domain/:event", async (request) => {
    const { domain, event } = parseInput(params, request.params, "path");
    const versions = await schemas.list(domain, event);
    if (versions.length === 0) throw problems.notFound(`no schema is registered for ${domain}.${event}`);
    const latest = versions[versions.length - 1]!;
    return {
      domain,
      event,
      type: `${domain}.${event}`,
      compatibility: latest.compatibility,
      topic: ingressTopic({ domain, event }),
      latestActiveVersion: [...versions].reverse().find((v) => v.status === "ACTIVE")?.version ?? null,
      versions: versions.map(versionView),
    };
  });
}

function versionView(v: SchemaVersion) {
  return {
    version: v.version,
    status: v.status,
    compatibility: v.compatibility,
    containsSensitive: v.containsSensitive,
    fingerprint: v.fingerprint,
    createdAt: v.createdAt,
    schema: v.schema,
  };
}
