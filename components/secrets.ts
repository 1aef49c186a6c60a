// Secrets: every Secrets Manager secret of model/secrets.ts, named `webhooks/{env}/{name}`,
// encrypted with the secrets CMK, with a generated initial value.
//
// The initial value comes from Secrets Manager's own generator (GetRandomPassword) and is
// written through the write-only `secretStringWo` field: the provider sends it to AWS and keeps
// it out of the state file, and `secretStringWoVersion` pins it, so later `pulumi up` runs do
// not rotate it (a fresh random value each run is ignored while the version stays 1). Operators
// rotate by writing a new value in Secrets Manager; the program never reads it back.
// (@pulumi/random would keep the value, as a Pulumi secret, in state; this keeps it nowhere.)

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
        { parent: this },
      );
      arns[id] = secret.arn;
      names[id] = secret.name;
    }
    this.arns = arns;
    this.names = names;
    this.registerOutputs({ arns: this.arns, names: this.names });
  }
}
