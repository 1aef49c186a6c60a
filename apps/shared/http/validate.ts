// Request input checked with zod: a fault becomes a 400 problem naming each field by JSON
// pointer ("/url", "/eventType") and saying what is allowed.

import type { z } from "zod";
import { problems, type FieldError } from "./problem";

/** RFC 6901 pointer from a path of keys and indexes. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export function zodFieldErrors(error: z.ZodError, prefix = ""): FieldError[] {
  return error.issues.map((issue) => ({ path: `${prefix}${jsonPointer(issue.path)}` || "/", message: issue.message }));
}

/** The parsed value, or a 400 problem: `what` names the input ("request body", "path parameters"). */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string, prefix = ""): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw problems.validation(`the ${what} is invalid`, zodFieldErrors(result.error, prefix));
}
