// Checks that a command the engines need is installed, and says what to install when it is not.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Prerequisite {
  readonly command: string;
  readonly versionArgs: readonly string[];
  /** What to install, for the error message. */
  readonly install: string;
}

export const java: Prerequisite = {
  command: "java",
  versionArgs: ["-version"],
  install: "Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)",
};

export const maven: Prerequisite = {
  command: "mvn",
  versionArgs: ["-v"],
  install: "Apache Maven (Debian: apt-get install maven)",
};

export const python: Prerequisite = {
  command: "python3",
  versionArgs: ["--version"],
  install: "Python 3 with pip (Debian: apt-get install python3 python3-pip)",
};

const checked = new Map<string, Promise<string>>();

/** Resolves to the version banner of the command; rejects with what to install when it is missing. */
export function requireCommand(prerequisite: Prerequisite): Promise<string> {
  let result = checked.get(prerequisite.command);
  if (!result) {
    result = run(prerequisite.command, [...prerequisite.versionArgs], { timeout: 30_000 }).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`.trim().split("\n")[0] ?? "",
      (error: NodeJS.ErrnoException) => {
        const reason = error.code === "ENOENT" ? "is not installed (not found on PATH)" : `does not run: ${error.message}`;
        throw new Error(
          `${prerequisite.command} ${reason}. Install ${prerequisite.install}, or run .ci/install-tools.sh`,
        );
      },
    );
    checked.set(prerequisite.command, result);
  }
  return result;
}

/** Whether a command is on PATH and runs (for optional helpers such as `flock`). */
export async function hasCommand(command: string, args: readonly string[] = ["--version"]): Promise<boolean> {
  try {
    await run(command, [...args], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
