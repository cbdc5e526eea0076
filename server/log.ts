/**
 * Structured logs: one JSON object per line on stderr (stdout carries only the "listening" line).
 * Callers pass room names and close codes, never tokens or request URLs (a URL may hold ?token=).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type Logger = (level: LogLevel, message: string, fields?: LogFields) => void;

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(minLevel: LogLevel = 'info'): Logger {
	return (level, message, fields) => {
		if (order[level] < order[minLevel]) return;
		process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, msg: message, ...fields }) + '\n');
	};
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { lines: { level: LogLevel; message: string; fields?: LogFields }[] } {
	const lines: { level: LogLevel; message: string; fields?: LogFields }[] = [];
	const log = ((level: LogLevel, message: string, fields?: LogFields) => {
		lines.push({ level, message, fields });
	}) as Logger & { lines: typeof lines };
	log.lines = lines;
	return log;
}

export function errorText(error: unknown): string {
	return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
