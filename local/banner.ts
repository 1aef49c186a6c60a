// The banner `npm start` prints once the platform is up.

import type { LocalPlatform } from "./platform";

/** Printed last: the e2e test waits for it, so keep the word. */
export const readyMarker = "platform ready";

export function banner(p: LocalPlatform, stateDir: string, startedMs: number): string {
  const rule = "─".repeat(78);
  return [
    rule,
    `  Webhooks platform is up (${((Date.now() - startedMs) / 1000).toFixed(1)}s)`,
    rule,
    `  gateway      ${p.urls.gateway}/v1/events`,
    `  admin API    ${p.urls.admin}/v1   (Authorization: Bearer <admin token>)`,
    `  metrics      ${p.urls.gateway}/metrics  ${p.urls.admin}/metrics  ${p.urls.processor}/metrics  ${p.urls.dispatcher}/metrics`,
    `  receiver     ${p.urls.receiver}   (verifies signatures; its log lines start with "receiver")`,
    `  kafka        ${p.kafkaBrokers}`,
    `  dynamodb     ${p.dynamodbEndpoint}`,
    "",
    `  admin token  ${p.adminToken}   (also in ${stateDir}/admin-token)`,
    `  producer key ${p.demo.producerKey}   (domain "orders")`,
    `  subscription ${p.demo.subscriptionId}   (partner "demo", orders.created -> receiver, approved)`,
    "",
    "  Send an event; its signed delivery shows in the receiver's log:",
    "",
    p.demo.curl
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
    "",
    `  Ctrl-C stops everything. State: ${stateDir}`,
    rule,
    readyMarker,
  ].join("\n");
}

