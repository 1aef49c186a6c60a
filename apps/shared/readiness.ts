// /readyz: ready only when the engines the service needs answer. Checks are cheap (describe
// the cluster, describe one table), bounded in time, and their result is cached briefly so a
// probe storm does not turn into load on Kafka or DynamoDB.

import type { Admin } from "kafkajs";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, "ok" | string>;
}

export interface Readiness {
  report(): Promise<ReadinessReport>;
}

export function createReadiness(checks: Record<string, ReadinessCheck>, options: { cacheMs?: number; timeoutMs?: number } = {}): Readiness {
  const cacheMs = options.cacheMs ?? 1500;
  const timeoutMs = options.timeoutMs ?? 2000;
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;

  async function run(): Promise<ReadinessReport> {
    const names = Object.keys(checks);
    const outcomes = await Promise.all(
      names.map(async (name) => {
        try {
          await withTimeout(checks[name]!(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`);
          return "ok" as const;
        } catch (err) {
          return (err as Error).message || String(err);
        }
      }),
    );
    const report: ReadinessReport = { ready: outcomes.every((o) => o === "ok"), checks: {} };
    names.forEach((n, i) => (report.checks[n] = outcomes[i]!));
    return report;
  }

  return {
    report() {
      const now = Date.now();
      if (!cached || now - cached.at > cacheMs) cached = { at: now, report: run() };
      return cached.report;
    },
  };
}

/** Kafka answers when the cluster metadata can be read. The admin client connects on first use. */
export function kafkaCheck(admin: Admin): ReadinessCheck {
  let connected: Promise<void> | undefined;
  return async () => {
    connected ??= admin.connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    });
    await connected;
    await admin.describeCluster();
  };
}

/** DynamoDB answers when one of the service's tables can be described. */
export function dynamoCheck(doc: DynamoDBDocumentClient, table: string): ReadinessCheck {
  return async () => {
    await doc.send(new DescribeTableCommand({ TableName: table }));
  };
}

export async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
