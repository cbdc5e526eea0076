/**
 * The pure parts of relay hardening: which origins may open a socket, which address a socket
 * counts against, the per-address counter, the CSP built from a page's inline scripts, and the
 * /metrics text. The relay process itself is tested in tests/integration/hygiene.test.ts and
 * metrics.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { AddressLimiter, clientAddress, originAllowed, parseAllowedOrigins } from '../../server/admission.ts';
import { contentSecurityPolicy, inlineScriptHashes, inlineScripts } from '../../server/security-headers.ts';
import { RelayMetrics } from '../../server/metrics.ts';
import { readConfig, ConfigError } from '../../server/config.ts';

const none = new Set<string>();

describe('originAllowed', () => {
	it('allows a missing Origin (not a browser) and the host the relay is served on, in any scheme', () => {
		expect(originAllowed(undefined, '127.0.0.1:3000', none)).toBe(true);
		expect(originAllowed('http://127.0.0.1:3000', '127.0.0.1:3000', none)).toBe(true);
		// Behind a TLS proxy the page is https and the relay sees the proxy's Host.
		expect(originAllowed('https://wiki.example.com', 'wiki.example.com', none)).toBe(true);
		expect(originAllowed('https://Wiki.Example.com', 'wiki.example.com:443', none)).toBe(true);
	});

	it('refuses other hosts, other ports, null and garbage, unless listed', () => {
		expect(originAllowed('https://evil.example', 'wiki.example.com', none)).toBe(false);
		expect(originAllowed('http://127.0.0.1:5173', '127.0.0.1:3000', none)).toBe(false);
		expect(originAllowed('http://wiki.example.com.evil.example', 'wiki.example.com', none)).toBe(false);
		expect(originAllowed('null', '127.0.0.1:3000', none)).toBe(false);
		expect(originAllowed('not a url', '127.0.0.1:3000', none)).toBe(false);
		expect(originAllowed('https://wiki.example.com', undefined, none)).toBe(false);
		const listed = new Set(['http://127.0.0.1:5173']);
		expect(originAllowed('http://127.0.0.1:5173', '127.0.0.1:3000', listed)).toBe(true);
		expect(originAllowed('https://127.0.0.1:5173', '127.0.0.1:3000', listed)).toBe(false);
	});

	it('ALLOWED_ORIGINS: comma-separated origins, normalized; anything with a path or another scheme is a config error', () => {
		expect(parseAllowedOrigins('')).toEqual([]);
		expect(parseAllowedOrigins(' https://A.example.com , http://localhost:5173/ ')).toEqual([
			'https://a.example.com',
			'http://localhost:5173'
		]);
		for (const bad of ['wiki.example.com', 'https://a.example.com/app', 'ftp://a.example.com', '*']) {
			expect(() => parseAllowedOrigins(bad), bad).toThrow(/not an origin/);
			expect(() => readConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(ConfigError);
		}
		expect(readConfig({ ALLOWED_ORIGINS: 'https://a.example.com' }).allowedOrigins).toEqual(['https://a.example.com']);
	});
});

function request(remoteAddress: string, forwardedFor?: string | string[]): IncomingMessage {
	return {
		socket: { remoteAddress },
		headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }
	} as unknown as IncomingMessage;
}

describe('clientAddress and AddressLimiter', () => {
	it('ignores X-Forwarded-For unless the proxy is trusted, then takes the entry the proxy appended', () => {
		expect(clientAddress(request('10.0.0.1', '203.0.113.9'), false)).toBe('10.0.0.1');
		expect(clientAddress(request('10.0.0.1', '203.0.113.9'), true)).toBe('203.0.113.9');
		// A client can send its own X-Forwarded-For; the proxy appends the real address last.
		expect(clientAddress(request('10.0.0.1', '1.2.3.4, 203.0.113.9'), true)).toBe('203.0.113.9');
		expect(clientAddress(request('10.0.0.1', ['1.2.3.4', '203.0.113.9']), true)).toBe('203.0.113.9');
		expect(clientAddress(request('10.0.0.1'), true)).toBe('10.0.0.1');
		expect(clientAddress(request('10.0.0.1', ' , '), true)).toBe('10.0.0.1');
	});

	it('takes up to the maximum per address, and a release frees exactly one slot', () => {
		const limiter = new AddressLimiter(2);
		expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
		expect(limiter.take('b')).toBe(true);
		expect(limiter.count('a')).toBe(2);
		limiter.release('a');
		expect(limiter.take('a')).toBe(true);
		expect(limiter.take('a')).toBe(false);
		limiter.release('a');
		limiter.release('a');
		limiter.release('b');
		expect(limiter.addresses).toBe(0);
	});

	it('MAX_CONNECTIONS_PER_ADDRESS and TRUST_PROXY: defaults, and bad values are config errors', () => {
		expect(readConfig({})).toMatchObject({ maxConnectionsPerAddress: 50, trustProxy: false, allowedOrigins: [] });
		expect(readConfig({ MAX_CONNECTIONS_PER_ADDRESS: '3', TRUST_PROXY: '1' })).toMatchObject({
			maxConnectionsPerAddress: 3,
			trustProxy: true
		});
		expect(() => readConfig({ MAX_CONNECTIONS_PER_ADDRESS: '0' })).toThrow(ConfigError);
		expect(() => readConfig({ TRUST_PROXY: 'yes' })).toThrow(ConfigError);
	});
});

describe('content security policy', () => {
	it('hashes inline scripts exactly as written, skips scripts with src', () => {
		const html = `<head><script src="/a.js"></script><script>alert('Hello, world.');</script></head>
<body><script type="module">
  x()
</script></body>`;
		expect(inlineScripts(html)).toEqual(["alert('Hello, world.');", '\n  x()\n']);
		// The example hash in the CSP specification's and MDN's script-src documentation.
		expect(inlineScriptHashes(html)[0]).toBe("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
		expect(inlineScriptHashes(html)).toHaveLength(2);
	});

	it('allows scripts only from self and the given hashes; no unsafe-inline or eval for scripts', () => {
		const policy = contentSecurityPolicy(["'sha256-abc='"]);
		const directives = new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
		expect(directives.get('script-src')).toEqual(["'self'", "'sha256-abc='"]);
		expect(directives.get('default-src')).toEqual(["'self'"]);
		expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
		expect(directives.get('object-src')).toEqual(["'none'"]);
		expect(directives.get('base-uri')).toEqual(["'none'"]);
		expect(directives.get('worker-src')).toEqual(["'self'", 'blob:', 'data:']);
		expect(policy).not.toMatch(/script-src[^;]*unsafe/);
	});
});

describe('RelayMetrics', () => {
	it('renders counters by code and a cumulative histogram whose +Inf bucket is the count', () => {
		const metrics = new RelayMetrics();
		metrics.closed(4401);
		metrics.closed(4401);
		metrics.closed(1000);
		metrics.committed(0.003, 2);
		metrics.committed(0.2, 1);
		const text = metrics.render({
			roomsLoaded: () => 1,
			connections: () => 2,
			sessions: () => 3,
			pendingUpdates: () => 0,
			pendingBytes: () => 0,
			storedBytes: () => 10,
			failedCommits: () => 2,
			storageFaulted: () => true,
			faultEpisodes: () => 1,
			quarantinedRows: () => 0
		});
		expect(text).toContain('meridian_storage_faulted 1\n');
		expect(text).toContain('meridian_storage_commit_errors_total 2\n');
		expect(text).toContain('meridian_connections_closed_total{code="1000"} 1\nmeridian_connections_closed_total{code="4401"} 2\n');
		expect(text).toContain('meridian_updates_stored_total 3\n');
		expect(text).toContain('meridian_storage_commit_seconds_bucket{le="0.0025"} 0\n');
		expect(text).toContain('meridian_storage_commit_seconds_bucket{le="0.005"} 1\n');
		expect(text).toContain('meridian_storage_commit_seconds_bucket{le="0.25"} 2\n');
		expect(text).toContain('meridian_storage_commit_seconds_bucket{le="+Inf"} 2\n');
		expect(text).toContain('meridian_storage_commit_seconds_count 2\n');
		expect(text).toMatch(/meridian_storage_commit_seconds_sum 0\.203\d*\n/);
	});
});
