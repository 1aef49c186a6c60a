// Input shapes shared by the admin routes.

import { z } from "zod";
import { nameSegmentPattern, parseEventType } from "../../../model/topics";

export const nameSegment = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(nameSegmentPattern, `${what} must be 1-63 lower-case letters, digits, _ or -, starting with a letter or digit`);

export const eventTypeInput = z
  .string({ error: "eventType is required: {domain}.{event}" })
  .refine((t) => parseEventType(t) !== undefined, { error: "eventType must be {domain}.{event}, e.g. orders.created" })
  .transform((t) => parseEventType(t)!);
