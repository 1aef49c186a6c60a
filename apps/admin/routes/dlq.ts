// POST /v1/dlq/replay {subscriptionId, since?} -> 202 {replayed: n}

import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { HttpProblem } from "../../shared/http/problem";
import { parseInput } from "../../shared/http/validate";
import type { DlqReplayer } from "../dlq-replay";
import { SubscriptionError, type SubscriptionService } from "../subscriptions";

const replayBody = z.strictObject({
  subscriptionId: z.string({ error: "subscriptionId is required" }).regex(/^sub_[0-9a-f-]{36}$/, "subscriptionId must be a subscription id (sub_<uuid>)"),
  since: z.iso.datetime({ offset: true, error: "since must be an RFC 3339 timestamp, e.g. 2026-01-31T00:00:00Z" }).optional(),
});

export function dlqRoutes(app: FastifyInstance, subscriptions: SubscriptionService, replayer: DlqReplayer): void {
  app.post("/v1/dlq/replay", async (request, reply) => {
    const { subscriptionId, since } = parseInput(replayBody, request.body, "request body");
    let subscription;
    try {
      subscription = await subscriptions.get(subscriptionId);
    } catch (err) {
      if (err instanceof SubscriptionError) throw new HttpProblem(404, "not-found", err.message, [{ path: "/subscriptionId", message: err.message }]);
      throw err;
    }
    if (subscription.status !== "approved") {
      throw new HttpProblem(409, "subscription-not-approved", `subscription ${subscriptionId} is ${subscription.status}; approve it before replaying its DLQ`, [
        { path: "/subscriptionId", message: `status is ${subscription.status}` },
      ]);
    }
    const replayed = await replayer.replay({ subscriptionId, partnerId: subscription.partnerId, eventType: subscription.eventType }, since ? new Date(since) : undefined);
    request.log.info({ subscriptionId, since, replayed }, "DLQ replayed");
    return reply.code(202).send({ replayed });
  });
}
