// Arguments of the pipeline entry point (automation/deploy.ts). Kept apart from the Pulumi
// calls so they can be tested without the Pulumi CLI.

import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { envs } from "../config";

export const commands = ["preview", "up"] as const;
export type Command = (typeof commands)[number];

export interface DeployArgs {
  /** preview on pull requests, up on merge. */
  command: Command;
  /** `dev`, `staging`, `prod`, or a qualified `org/project/env` stack name. */
  stack: string;
  /** The repository directory holding Pulumi.yaml (the local program). */
  workDir: string;
  /** Refresh state from AWS before the operation. */
  refresh: boolean;
  /** Up only: the message recorded with the update (e.g. the merge commit). */
  message?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n\n${usage}`);
    this.name = "UsageError";
  }
}

export const usage = `usage: node --import tsx automation/deploy.ts <preview|up> --stack <${envs.join("|")}|org/project/env> [--work-dir <dir>] [--refresh] [--message <text>]`;

const stackName = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

export function parseDeployArgs(argv: readonly string[], defaultWorkDir: string): DeployArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        stack: { type: "string", short: "s" },
        "work-dir": { type: "string" },
        refresh: { type: "boolean", default: false },
        message: { type: "string", short: "m" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values } = parsed;
  if (positionals.length !== 1) throw new UsageError(`expected one command (${commands.join(" or ")}), got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  const command = positionals[0] as Command;
  if (!commands.includes(command)) throw new UsageError(`unknown command "${command}"; allowed: ${commands.join(", ")}`);
  const stack = values.stack;
  if (!stack) throw new UsageError("--stack is required");
  if (!stackName.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name (env, or org/project/env)`);
  const env = stack.split("/").pop()!;
  if (!envs.includes(env as (typeof envs)[number])) throw new UsageError(`--stack "${stack}": the stack must be one of ${envs.join(", ")} (optionally qualified)`);
  if (values.message !== undefined && command !== "up") throw new UsageError("--message applies to up only");
  return {
    command,
    stack,
    workDir: resolve(values["work-dir"] ?? defaultWorkDir),
    refresh: values.refresh ?? false,
    ...(values.message !== undefined ? { message: values.message } : {}),
  };
}
