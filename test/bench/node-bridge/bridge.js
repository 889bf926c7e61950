'use strict';
// The baseline of the sidecar benchmarks (bench/sidecar.sh): PostgreSQL LISTEN/NOTIFY to WebSocket
// clients, written the way a Node.js user would with the usual packages, pg and ws. It speaks the
// sidecar's JSON protocol without authentication:
//   in:  {"op":"subscribe"|"unsubscribe","channel":c,"id":x}, {"op":"ping","id":x}
//   out: {"type":"subscribed"|"unsubscribed","channel":c,"id":x}, {"type":"pong","id":x},
//        {"type":"notify","seq":n,"channel":c,"payload":p,"time":iso}, {"type":"error",...}
// One database connection; LISTEN when a channel gets its first subscriber, UNLISTEN after its last.
//
//   node bridge.js [PORT [DATABASE_URL]]     (or PORT and DATABASE_URL in the environment)

const { Client } = require('pg');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || process.env.PORT || 8081);
const databaseUrl = process.argv[3] || process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('usage: node bridge.js [PORT [DATABASE_URL]] (or set PORT and DATABASE_URL)');
  process.exit(2);
}

const db = new Client({ connectionString: databaseUrl });
// channel -> { clients: Set of sockets, listening: Promise of the LISTEN }
const channels = new Map();

db.on('error', (err) => {
  console.error('database connection failed:', err.message);
  process.exit(1);
});

db.on('notification', ({ channel, payload }) => {
  const entry = channels.get(channel);
  if (!entry) return;
  let body;
  try {
    body = JSON.parse(payload);
  } catch {
    body = payload;
  }
  const time = new Date().toISOString();
  for (const ws of entry.clients) {
    ws.seq += 1;
    ws.send(JSON.stringify({ type: 'notify', seq: ws.seq, channel, payload: body, time }));
  }
});

async function subscribe(ws, channel) {
  let entry = channels.get(channel);
  if (!entry) {
    entry = { clients: new Set(), listening: db.query(`LISTEN ${db.escapeIdentifier(channel)}`) };
    channels.set(channel, entry);
  }
  entry.clients.add(ws);
  ws.channels.add(channel);
  await entry.listening;
}

async function unsubscribe(ws, channel) {
  ws.channels.delete(channel);
  const entry = channels.get(channel);
  if (!entry || !entry.clients.delete(ws) || entry.clients.size > 0) return;
  channels.delete(channel);
  await db.query(`UNLISTEN ${db.escapeIdentifier(channel)}`);
}

async function handle(ws, text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    ws.send(JSON.stringify({ type: 'error', code: 'bad_json', message: 'frame is not JSON' }));
    return;
  }
  const { op, channel, id } = msg;
  if (op === 'ping') {
    ws.send(JSON.stringify({ type: 'pong', id }));
  } else if ((op === 'subscribe' || op === 'unsubscribe') && typeof channel === 'string' && channel) {
    try {
      await (op === 'subscribe' ? subscribe(ws, channel) : unsubscribe(ws, channel));
      ws.send(JSON.stringify({ type: `${op}d`, channel, id }));
    } catch (err) {
      ws.send(JSON.stringify({ type: 'error', code: 'unavailable', message: err.message, id }));
    }
  } else {
    ws.send(JSON.stringify({ type: 'error', code: 'bad_op', message: 'unknown op', id }));
  }
}

async function main() {
  await db.connect();
  const wss = new WebSocketServer({ port, host: '127.0.0.1' });
  wss.on('connection', (ws) => {
    ws.seq = 0;
    ws.channels = new Set();
    ws.on('message', (data) => handle(ws, data.toString()));
    ws.on('close', () => {
      for (const channel of [...ws.channels]) {
        unsubscribe(ws, channel).catch((err) => console.error('UNLISTEN failed:', err.message));
      }
    });
  });
  wss.on('listening', () => console.error(`node bridge: listening on 127.0.0.1:${port}`));
  const stop = () => {
    wss.close();
    db.end().finally(() => process.exit(0));
    for (const ws of wss.clients) ws.terminate();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error('node bridge:', err.message);
  process.exit(1);
});
