// Hocuspocus 3 (@hocuspocus/server) with no extensions: documents in memory, as its getting-started
// server runs. Any token is accepted (it has no onAuthenticate hook). Prints "listening <port>".
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false });
await server.listen();
process.stdout.write(`listening ${server.address.port}\n`);
process.on('SIGTERM', () => process.exit(0));
