// Secrets Manager secrets, declared once. The Secrets component creates them on their CMK;
// the services read them through IRSA (see access.ts); the local runner uses environment
// variables of the same meaning instead.

export interface SecretDefinition {
  /** Last segment of the secret's name: `webhooks/{env}/{name}`. */
  readonly name: string;
  readonly description: string;
  /** The environment variable that carries the value locally and that the service reads. */
  readonly envVar: string;
  /** Length in characters of the random value Secrets Manager generates at creation. */
  readonly generatedLength: number;
}

export const secrets = {
  adminToken: {
    name: "admin-token",
    description: "Bearer token of the admin API",
    envVar: "ADMIN_TOKEN",
    generatedLength: 48,
  },
} as const satisfies Record<string, SecretDefinition>;

export type SecretId = keyof typeof secrets;

export const secretIds = Object.keys(secrets) as SecretId[];

/** `webhooks/{env}/{name}` */
export function secretName(env: string, id: SecretId): string {
  return `webhooks/${env}/${secrets[id].name}`;
}
