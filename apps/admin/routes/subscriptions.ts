// Partner subscriptions: create, approve, cancel, rotate-secret, list. Secrets appear only in
// the answers that create them.

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpProblem } from "../../shared/http/problem";
import { parseInput } from "../../shared/http/validate";
import { SubscriptionError, type SubscriptionFault, type SubscriptionService } from "../subscriptions";
import { eventTypeInput, nameSegment } from "./inputs";

const partnerParams = z.object({ partnerId: nameSegment("partnerId") });
const subscriptionParams = partnerParams.extend({ id: z.string().regex(/^sub_[0-9a-f-]{36}$/, "id must be a subscription id (sub_<uuid>)") });
const createBody = z.strictObject({
  eventType: eventTypeInput,
  url: z.string({ error: "url is required: the https URL to deliver to" }).min(1, "url must not be empty"),
});

const statusOf: Record<SubscriptionFault, { status: number; kind: string; path?: string }> = {
  "bad-url": { status: 400, kind: "invalid-url", path: "/url" },
  "refused-url": { status: 422, kind: "refused-url", path: "/url" },
  "unknown-event-type": { status: 404, kind: "unknown-event-type", path: "/eventType" },
  "not-found": { status: 404, kind: "not-found" },
  conflict: { status: 409, kind: "conflict" },
};

function asProblem(err: unknown): unknown {
  if (!(err instanceof SubscriptionError)) return err;
  const { status, kind, path } = statusOf[err.fault];
  return new HttpProblem(status, kind, err.message, path ? [{ path, message: err.message }] : undefined);
}

export function subscriptionRoutes(app: FastifyInstance, subscriptions: SubscriptionService): void {
  app.post("/v1/partners/:partnerId/subscriptions", async (request, reply) => {
    const { partnerId } = parseInput(partnerParams, request.params, "path");
    const { eventType, url } = parseInput(createBody, request.body, "request body");
    try {
      const { view, secret } = await subscriptions.create(partnerId, eventType, url);
      return reply.code(201).send({ ...view, secret });
    } catch (err) {
      throw asProblem(err);
    }
  });

  app.get("/v1/partners/:partnerId/subscriptions", async (request) => {
    const { partnerId } = parseInput(partnerParams, request.params, "path");
    return { partnerId, subscriptions: await subscriptions.list(partnerId) };
  });

  const action = (name: string, run: (partnerId: string, id: string) => Promise<unknown>) =>
    app.post(`/v1/partners/:partnerId/subscriptions/:id/${name}`, async (request) => {
      const { partnerId, id } = parseInput(subscriptionParams, request.params, "path");
      try {
        return await run(partnerId, id);
      } catch (err) {
        throw asProblem(err);
      }
    });
  action("approve", (p, id) => subscriptions.approve(p, id));
  action("cancel", (p, id) => subscriptions.cancel(p, id));
  action("rotate-secret", async (p, id) => {
    const { view, secret, previousSecretExpiresAt } = await subscriptions.rotateSecret(p, id);
    return { ...view, secret, previousSecretExpiresAt };
  });
}
