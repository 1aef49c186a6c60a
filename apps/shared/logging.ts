// JSON logs on stdout (pino). Work on one event logs through a child logger carrying the event
// id, so every line about that event can be found by it.

import pino, { type Logger, type LevelWithSilent } from "pino";

export function createLogger(service: string, level: LevelWithSilent = "info"): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** The logger for one event: the platform's event id is the correlation id. */
export function eventLogger(logger: Logger, eventId: string, fields: Record<string, unknown> = {}): Logger {
  return logger.child({ eventId, ...fields });
}
