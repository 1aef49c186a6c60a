// The admin API's HTTP surface: every /v1 route behind the admin bearer token.

import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createHttpServer } from "../shared/http/server";
import type { ServiceMetrics } from "../shared/metrics";
import type { Readiness } from "../shared/readiness";
import { adminAuthHook } from "./admin-token";
import type { DeliveryStatusReader } from "./deliveries";
import type { DlqReplayer } from "./dlq-replay";
import type { ProducerRegistry } from "./producers";
import type { SchemaAdmin } from "./schemas";
import type { SubscriptionService } from "./subscriptions";
import { deliveryRoutes } from "./routes/deliveries";
import { dlqRoutes } from "./routes/dlq";
import { producerRoutes } from "./routes/producers";
import { schemaRoutes } from "./routes/schemas";
import { subscriptionRoutes } from "./routes/subscriptions";

export interface AdminAppDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
  adminToken: string;
  producers: ProducerRegistry;
  schemas: SchemaAdmin;
  subscriptions: SubscriptionService;
  deliveries: DeliveryStatusReader;
  dlqReplayer: DlqReplayer;
}

export function buildAdminApp(deps: AdminAppDeps): FastifyInstance {
  const app = createHttpServer({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness });
  app.register(async (api) => {
    api.addHook("onRequest", adminAuthHook(deps.adminToken));
    producerRoutes(api, deps.producers);
    schemaRoutes(api, deps.schemas);
    subscriptionRoutes(api, deps.subscriptions);
    deliveryRoutes(api, deps.deliveries);
    dlqRoutes(api, deps.subscriptions, deps.dlqReplayer);
  });
  return app;
}
