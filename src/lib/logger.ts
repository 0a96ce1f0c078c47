import type { LogLevel } from "../config";

type Fields = Record<string, unknown>;
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

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

/** One JSON object per line on stdout (stderr for warnings and errors). */
export function createLogger(level: LogLevel): Logger {
  const threshold = SEVERITY[level];
  const write = (severity: Exclude<LogLevel, "silent">, message: string, fields: Fields = {}) => {
    if (SEVERITY[severity] < threshold) return;
    const entry: Fields = { time: new Date().toISOString(), level: severity, msg: message };
    for (const [key, value] of Object.entries(fields)) entry[key] = serializeError(value);
    const line = `${JSON.stringify(entry)}\n`;
    if (SEVERITY[severity] >= SEVERITY.warn) process.stderr.write(line);
    else process.stdout.write(line);
  };
  return {
    debug: (message, fields) => write("debug", message, fields),
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}
