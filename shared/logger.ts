// Structured JSON logs, one line each, with the request id. Callers pass fields, never secrets: tokens,
// token hashes, e-mail addresses and payment secrets are dropped here by key name as a second line of defence.

import { config } from './config.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED_KEYS = /token|secret|password|authorization|hash|email|client_secret|cookie/i;

export type LogFields = Record<string, unknown>;

function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[nested]';
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = REDACTED_KEYS.test(key) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Where log lines go; tests swap it to capture them. */
export const logSink = {
  write(line: string): void {
    process.stdout.write(`${line}\n`);
  },
};

export function createLogger(base: LogFields = {}): Logger {
  const emit = (level: Level, message: string, fields?: LogFields) => {
    if (ORDER[level] < ORDER[config().logLevel]) return;
    const record: LogFields = {};
    for (const source of [base, fields]) {
      if (!source) continue;
      for (const key in source) {
        const item = source[key];
        // Flat fields are the common case: only objects need the recursive walk.
        record[key] = REDACTED_KEYS.test(key) ? '[redacted]' : typeof item === 'object' ? redact(item) : item;
      }
    }
    logSink.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...record }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }),
  };
}

export const logger = createLogger({ service: 'evsessions' });
