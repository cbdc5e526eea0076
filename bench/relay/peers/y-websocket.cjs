// The y-websocket 1.x reference server, as its bin/server.js runs it (in memory, no persistence,
// its default gc), on 127.0.0.1 and a free port. Prints "listening <port>" once it accepts sockets.
// Plain CommonJS run by node, like the peers' own entry points: no loader adds to its CPU or memory.
const http = require('node:http');
const WebSocket = require('ws');
const { setupWSConnection } = require('y-websocket-v1/bin/utils');

const wss = new WebSocket.Server({ noServer: true });
wss.on('connection', setupWSConnection);
const server = http.createServer((_request, response) => {
	response.writeHead(200, { 'Content-Type': 'text/plain' });
	response.end('okay');
});
server.on('upgrade', (request, socket, head) => {
	wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
