// Secrets: every Secrets Manager secret of model/secrets.ts, named `webhooks/{env}/{name}`,
// encrypted with the secrets CMK, with a generated initial value.
//
// The initial value comes from Secrets Manager's own generator (GetRandomPassword, so no extra
// provider plugin such as @pulumi/random) and goes through the write-only `secretStringWo`
// field, pinned by `secretStringWoVersion`: AWS never returns it to the provider, and
// `ignoreChanges` keeps the fresh random value each run produces from touching the secret, so
// `pulumi up` never rotates it. Pulumi still records the input in its state, encrypted as a
// Pulumi secret (the bridge does not yet drop write-only inputs: pulumi-terraform-bridge#3201).
// Operators rotate the value in Secrets Manager; the program never reads it back.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Env } from "../config";
import { secretIds, secretName, secrets, type SecretId } from "../model/secrets";
import { componentTags, resourceName } from "./naming";

export interface SecretsArgs {
  env: Env;
  secretsKeyArn: pulumi.Input<string>;
}

export class Secrets extends pulumi.ComponentResource {
  readonly arns: Record<SecretId, pulumi.Output<string>>;
  readonly names: Record<SecretId, pulumi.Output<string>>;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:secrets:Secrets", name, args, opts);
    const tags = componentTags("secrets");
    const arns = {} as Record<SecretId, pulumi.Output<string>>;
    const names = {} as Record<SecretId, pulumi.Output<string>>;

    for (const id of secretIds) {
      const def = secrets[id];
      const logicalName = resourceName(args.env, `secret-${def.name}`);
      const secret = new aws.secretsmanager.Secret(
        logicalName,
        {
          name: secretName(args.env, id),
          description: def.description,
          kmsKeyId: args.secretsKeyArn,
          // A deleted secret stays recoverable for this long; prod keeps the maximum.
          recoveryWindowInDays: args.env === "prod" ? 30 : 7,
          tags: { ...tags, "env-var": def.envVar },
        },
        { parent: this },
      );
      const generated = aws.secretsmanager.getRandomPasswordOutput(
        { passwordLength: def.generatedLength, excludePunctuation: true, includeSpace: false },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${logicalName}-initial`,
        {
          secretId: secret.id,
          secretStringWo: pulumi.secret(generated.randomPassword),
          secretStringWoVersion: 1,
        },
        { parent: this, ignoreChanges: ["secretStringWo"] },
      );
      arns[id] = secret.arn;
      names[id] = secret.name;
    }
    this.arns = arns;
    this.names = names;
    this.registerOutputs({ arns: this.arns, names: this.names });
  }
}
