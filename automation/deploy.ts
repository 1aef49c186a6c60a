// Pipeline entry point on the Pulumi Automation API: `preview` on pull requests, `up` on merge,
// for the stack named on the command line, running the local program of this repository
// (Pulumi.yaml beside package.json). Exit code 0 on success, 1 on a failed operation, 2 on a
// usage error.
//
// It needs the Pulumi CLI on PATH and a logged-in backend (`pulumi login --local`, or a cloud
// backend) plus AWS credentials; none of these exist on the development machine, so only its
// argument parsing (automation/args.ts) is tested here.
//
//   node --import tsx automation/deploy.ts preview --stack dev
//   node --import tsx automation/deploy.ts up --stack prod --message "merge abc123"

import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { parseDeployArgs, UsageError, type DeployArgs } from "./args";

async function run(args: DeployArgs): Promise<void> {
  const stack = await LocalWorkspace.selectStack({ stackName: args.stack, workDir: args.workDir });
  const onOutput = (line: string) => process.stdout.write(line);
  if (args.refresh) await stack.refresh({ onOutput });
  if (args.command === "preview") {
    const result = await stack.preview({ onOutput, diff: true });
    console.log(`\npreview of ${args.stack}: ${JSON.stringify(result.changeSummary)}`);
  } else {
    const result = await stack.up({ onOutput, ...(args.message ? { message: args.message } : {}) });
    console.log(`\nup of ${args.stack}: ${result.summary.result} ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
  }
}

async function main(): Promise<number> {
  let args: DeployArgs;
  try {
    args = parseDeployArgs(process.argv.slice(2), join(__dirname, ".."));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  try {
    await run(args);
    return 0;
  } catch (err) {
    console.error(`${args.command} of ${args.stack} failed: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
