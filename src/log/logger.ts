import pino, { type Logger } from "pino";

/** pino's levels: what LOG_LEVEL (and ORCHESTRATOR_LOG_LEVEL) may say. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string | undefined): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value ?? "");
}

/**
 * The module's one log format: pino JSON lines with ISO timestamps, which is
 * also what Pepr's own logger writes with PINO_TIME_STAMP=iso (package.json's
 * pepr.env), so one pod's log reads alike. An invalid level does not throw
 * here: the logger falls back to info and the configuration loader lists the
 * level among its problems, so the user sees every problem at once.
 */
export function createLogger(name: string, level: string | undefined, destination?: pino.DestinationStream): Logger {
  const options = { name, level: isLogLevel(level) ? level : "info", timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
