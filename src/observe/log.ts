/**
 * The gateway's service log (pino): one JSON object a line on standard error — `level`, `time`,
 * `msg` and the line's fields — or, when standard error is a terminal, the same lines made readable
 * by pino-pretty. Standard output is left to what a caller pipes on: the serving URL, the demo's
 * credentials and, without CIVICGRAPH_AUDIT_LOG, the audit lines.
 *
 * The rest of the gateway sees only `Log`, a function, so a test can collect the messages with
 * `(message) => lines.push(message)` and nothing but this module knows pino.
 */
import { pino, type DestinationStream, type Level } from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = Extract<Level, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * What a line carries beside its message: names, codes, counts, durations, identifiers the
 * gateway made or validated. Never a value read from a source, a filter's literal, a query's
 * text, an address or a secret: each caller passes only fields of those kinds.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Notes `message` at `level` (info when absent). */
export type Log = (message: string, level?: LogLevel, fields?: LogFields) => void;

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface ServiceLogOptions {
  /** CIVICGRAPH_LOG_LEVEL: `debug`, `info` (default), `warn`, `error` or `silent`. */
  level?: string | undefined;
  /** Where the lines go; standard error by default. */
  destination?: DestinationStream;
  /** Readable lines instead of JSON; by default when standard error is a terminal. */
  pretty?: boolean;
}

/** The service log of a `civicgraph serve` process. A level that is not one stops the start, naming the variable. */
export function serviceLog(options: ServiceLogOptions = {}): Log {
  const level = options.level?.trim() || 'info';
  if (!LEVELS.includes(level)) throw new Error(`CIVICGRAPH_LOG_LEVEL must be one of ${LEVELS.join(', ')}, not "${level}"`);
  const readable = options.pretty ?? (options.destination === undefined && process.stderr.isTTY === true);
  // Asynchronous, so that a request never waits on a write; pino flushes what is left when the process exits.
  const destination = readable
    ? pretty({ destination: options.destination ?? 2, colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : (options.destination ?? pino.destination({ dest: 2, sync: false }));
  const logger = pino(
    {
      level,
      // Names, not pino's numbers, and an ISO time: what log shippers and people read alike.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
    },
    destination,
  );
  return (message, lineLevel = 'info', fields) => {
    if (fields) logger[lineLevel](fields, message);
    else logger[lineLevel](message);
  };
}
