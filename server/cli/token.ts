/**
 * npm run --silent token -- --workspace <id> --role <role> [--member <id>] [--expires-in 30d]
 *
 * Prints a relay token and nothing else on stdout (so it can be captured); diagnostics go to
 * stderr. Signs with MERIDIAN_SECRET or DATA_DIR/secret, creating the latter like the relay would.
 * Exit codes: 0 ok, 2 bad arguments, 1 anything else.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isId, isRole, roles } from '../../src/lib/protocol/index.ts';
import { loadSecret, signToken } from '../auth.ts';
import { readConfig } from '../config.ts';

const usage = `usage: npm run --silent token -- --workspace <id> --role <${roles.join('|')}> [--member <id>] [--expires-in <n>(s|m|h|d)]`;

class UsageError extends Error {}

/** "30d", "12h", "15m", "90s" or plain seconds. */
export function parseDuration(text: string): number {
	const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
	if (!match) throw new UsageError(`--expires-in: expected e.g. 30d, 12h, 15m or 3600, got "${text}"`);
	const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
	const seconds = Number(match[1]) * unit;
	if (seconds <= 0) throw new UsageError('--expires-in must be positive');
	return seconds;
}

async function main(argv: string[]): Promise<void> {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				workspace: { type: 'string' },
				role: { type: 'string' },
				member: { type: 'string' },
				'expires-in': { type: 'string' },
				help: { type: 'boolean', short: 'h' }
			},
			strict: true,
			allowPositionals: false
		}));
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	if (values.help) {
		process.stderr.write(usage + '\n');
		return;
	}
	const workspaceId = values.workspace;
	if (!workspaceId) throw new UsageError('--workspace is required');
	if (!isId(workspaceId)) throw new UsageError(`--workspace: "${workspaceId}" is not an id (A-Z a-z 0-9 _ -, 1–64 chars)`);
	const role = values.role;
	if (!role) throw new UsageError('--role is required');
	if (!isRole(role)) throw new UsageError(`--role: expected one of ${roles.join(', ')}, got "${role}"`);
	const memberId = values.member ?? randomBytes(12).toString('base64url');
	if (!isId(memberId)) throw new UsageError(`--member: "${memberId}" is not an id`);
	const expiresInSeconds = parseDuration(values['expires-in'] ?? '30d');

	const config = readConfig();
	const secret = loadSecret(config.dataDir, config.secret);
	const token = await signToken(secret, { workspaceId, role, memberId, expiresInSeconds });
	process.stdout.write(token + '\n');
	if (process.env.npm_lifecycle_event === 'token' && process.env.npm_config_loglevel !== 'silent') {
		// npm printed its "> meridian@… token" banner on stdout before we ran; we can't take it back.
		process.stderr.write('token: npm also printed its banner on stdout; use `npm run --silent token -- …` to capture only the token\n');
	}
}

main(process.argv.slice(2)).catch((error: unknown) => {
	if (error instanceof UsageError) {
		process.stderr.write(`token: ${error.message}\n${usage}\n`);
		process.exit(2);
	}
	process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
