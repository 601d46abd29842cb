import os from 'node:os';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Keeps tokens (`?token=` on the socket URL) out of the logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/g, '$1[redacted]');
}

/**
 * `pretty`: one readable line per entry (time, level, message, fields), for
 * a person at a terminal. `json`: one JSON object per line, for log
 * collectors (pipes, CI, containers).
 */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when given; otherwise pretty on a terminal and JSON anywhere else. */
export function chooseLogFormat(configured: LogFormat | undefined, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  return configured ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

export function createLogger(level: string, format: LogFormat = chooseLogFormat(undefined)): Logger {
  const options = {
    level,
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
  };
  if (format === 'json') return pino(options);
  // Formatted in this thread and written synchronously, so nothing is lost
  // on exit; a terminal is read by a person, not a log pipeline, so the cost
  // per line does not matter. Colours only on a terminal (and not with NO_COLOR).
  const colorize = pretty.isColorSupported && process.stdout.isTTY === true;
  return pino(options, pretty({ sync: true, colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}

/** Addresses meaning "every interface". */
const ANY_HOST = new Set(['0.0.0.0', '::', '[::]']);

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The line that says where the app is, printed once it listens. On every
 * interface (HOST=0.0.0.0) it also names this machine's network addresses,
 * for opening the app on a phone on the same network.
 */
export function runningLine(host: string, port: number, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string {
  if (!ANY_HOST.has(host)) return `Whisper is running at http://${hostForUrl(host)}:${port}`;
  const lan = Object.values(interfaces)
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => `http://${entry.address}:${port}`);
  const line = `Whisper is running at http://127.0.0.1:${port}`;
  return lan.length > 0 ? `${line}; from other devices on this network: ${lan.join(', ')}` : line;
}
