import type { LogLevel } from "../config";

type Fields = Record<string, unknown>;
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** Whether a line of this severity would be written: lets hot paths skip building it. */
  enabled(severity: Severity): boolean;
}

type Severity = Exclude<LogLevel, "silent">;
/** Where finished lines go: stdout and stderr by default, a list in tests. */
export type LogSink = (line: string, severity: Severity) => void;

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    cause: serializeError(error.cause),
  };
}

const standardSink: LogSink = (line, severity) => {
  if (SEVERITY[severity] >= SEVERITY.warn) process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
};

function humanReadable(entry: Fields): string {
  const { time, level, msg, ...rest } = entry;
  const details = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${msg}${details ? ` ${details}` : ""}`;
}

/**
 * One JSON object per line (warnings and errors on stderr), or a readable line when stdout is a
 * terminal.
 */
export function createLogger(
  level: LogLevel,
  {
    sink = standardSink,
    pretty = process.stdout.isTTY === true,
    context = {},
    correlate,
  }: {
    sink?: LogSink;
    pretty?: boolean;
    /** Fields on every line, e.g. the worker's number when several processes share the logs. */
    context?: Fields;
    /** Fields of the moment a line is written, e.g. the active trace's ids. */
    correlate?: () => Fields | undefined;
  } = {},
): Logger {
  const threshold = SEVERITY[level];
  const write = (severity: Severity, message: string, fields: Fields = {}) => {
    if (SEVERITY[severity] < threshold) return;
    const entry: Fields = {
      time: new Date().toISOString(),
      level: severity,
      msg: message,
      ...context,
      ...correlate?.(),
    };
    for (const [key, value] of Object.entries(fields)) entry[key] = serializeError(value);
    sink(pretty ? humanReadable(entry) : JSON.stringify(entry), severity);
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    enabled: (severity) => SEVERITY[severity] >= threshold,
  };
}
