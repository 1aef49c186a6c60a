// Schema registry: an AWS Glue Schema Registry per environment, seeded with one JSON schema
// per contract from contracts/. The contracts arrive as an argument (index.ts loads them), so
// the component never reads the disk.
//
// A Glue Schema resource holds one definition; changing `schemaDefinition` makes Glue add a new
// version under the schema's compatibility mode. So the resource carries the LATEST contract
// version: a new v{n}.json in contracts/ becomes the next Glue version on `pulumi up`, and Glue
// itself refuses it when it breaks the mode (the contracts check in CI refuses it earlier).
// On a fresh registry only the latest version is registered; services map contract versions to
// Glue version ids through event_schema.glue_schema_version_id.

import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Env } from "../config";
import type { Contract } from "../model/contracts";
import { glueContractVersionTag, glueSchemaName } from "../model/glue";
import { componentTags, resourceName } from "./naming";

export interface SchemaRegistryArgs {
  env: Env;
  contracts: readonly Contract[];
}

export class SchemaRegistry extends pulumi.ComponentResource {
  readonly registryName: pulumi.Output<string>;
  readonly registryArn: pulumi.Output<string>;
  /** Glue schema ARNs by event type `{domain}.{event}`. */
  readonly schemaArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SchemaRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:glue:SchemaRegistry", name, args, opts);
    const tags = componentTags("schema-registry");

    const registry = new aws.glue.Registry(
      resourceName(args.env, "schemas"),
      {
        registryName: resourceName(args.env, "schemas"),
        description: "Event contracts of the webhooks platform (JSON Schema draft-07)",
        tags,
      },
      { parent: this },
    );
    this.registryName = registry.registryName;
    this.registryArn = registry.arn;

    this.schemaArns = {};
    for (const contract of args.contracts) {
      const latest = contract.versions[contract.versions.length - 1];
      if (!latest) throw new Error(`contract ${contract.type} has no versions`);
      const schema = new aws.glue.Schema(
        resourceName(args.env, `schema-${contract.domain}-${contract.event}`),
        {
          registryArn: registry.arn,
          schemaName: glueSchemaName(contract.domain, contract.event),
          dataFormat: "JSON",
          compatibility: contract.compatibility,
          schemaDefinition: JSON.stringify(latest.schema),
          description: contract.description || `${contract.type} events`,
          tags: {
            ...tags,
            [glueContractVersionTag]: String(latest.version),
            "contains-sensitive": String(contract.containsSensitive),
          },
        },
        { parent: this },
      );
      this.schemaArns[contract.type] = schema.arn;
    }

    this.registerOutputs({ registryName: this.registryName, registryArn: this.registryArn, schemaArns: this.schemaArns });
  }
}
