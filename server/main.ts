/**
 * The relay process: `node --import tsx server/main.ts` (npm run relay).
 * Prints exactly one line on stdout once listening — "Meridian relay listening on http://HOST:PORT" —
 * which scripts and tests wait for; everything else goes to stderr as JSON lines.
 */
import { ConfigError, readConfig } from './config.ts';
import { createLogger, errorText } from './log.ts';
import { startRelay } from './relay.ts';

async function main(): Promise<void> {
	let config;
	try {
		config = readConfig();
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`meridian relay: ${error.message}\n`);
			process.exit(2);
		}
		throw error;
	}
	const log = createLogger(config.logLevel);
	const relay = await startRelay(config, log);
	process.stdout.write(`Meridian relay listening on ${relay.url}\n`);
	// What an operator most often gets wrong behind a proxy, said once at start (never the secret).
	log('info', 'relay started', {
		url: relay.url,
		dataDir: config.dataDir,
		trustProxy: config.trustProxy,
		allowedOrigins: config.allowedOrigins.join(','),
		maxConnectionsPerAddress: config.maxConnectionsPerAddress
	});

	let stopping = false;
	const stop = (signal: NodeJS.Signals): void => {
		if (stopping) return;
		stopping = true;
		log('info', 'shutting down', { signal });
		relay
			.shutdown()
			.then((result) => {
				if (result.flushed) {
					log('info', 'shut down; everything stored');
					process.exit(0);
				}
				log('error', 'shut down with updates NOT stored', {
					unstoredUpdates: result.unstoredUpdates,
					unstoredBytes: result.unstoredBytes
				});
				process.exit(1);
			})
			.catch((error: unknown) => {
				log('error', 'shutdown failed', { error: errorText(error) });
				process.exit(1);
			});
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
	process.stderr.write(`meridian relay failed to start: ${errorText(error)}\n`);
	process.exit(1);
});
