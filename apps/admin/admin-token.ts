// The admin bearer token: from ADMIN_TOKEN, or read once at start from Secrets Manager
// (ADMIN_TOKEN_SECRET_ID, through IRSA in the cluster). Compared in constant time.

import { createHash, timingSafeEqual } from "node:crypto";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { FastifyRequest } from "fastify";
import { bearerToken } from "../shared/api-keys";
import { problems } from "../shared/http/problem";

export type AdminTokenSource = { token: string } | { secretId: string; client: SecretsManagerClient };

export async function resolveAdminToken(source: AdminTokenSource): Promise<string> {
  if ("token" in source) return source.token;
  let out;
  try {
    out = await source.client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  } catch (err) {
    throw new Error(`ADMIN_TOKEN_SECRET_ID: reading secret ${source.secretId} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  const token = out.SecretString?.trim();
  if (!token) throw new Error(`secret ${source.secretId} holds no string value: expected the admin token as SecretString`);
  if (token.length < 16) throw new Error(`secret ${source.secretId}: the admin token is shorter than 16 characters`);
  return token;
}

/**
 * An onRequest hook that admits `Authorization: Bearer <token>`. Both sides are hashed first,
 * so timingSafeEqual compares equal-length digests and the time taken says nothing about the token.
 */
export function adminAuthHook(token: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  return async (request) => {
    const presented = bearerToken(request.headers.authorization);
    if (!presented) throw problems.unauthorized("send the admin token as Authorization: Bearer <token>");
    if (!timingSafeEqual(digest(presented), expected)) throw problems.unauthorized("the admin token is not valid");
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
