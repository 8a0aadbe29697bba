// A real DNS server for the email.domain tests (npm dns2 2.x, UDP + TCP on one 127.0.0.1 port), answering
// from an in-memory zone: TXT (optionally split in chunks, as long DKIM keys are), CNAME and MX records.
// Like an authoritative server whose CNAME targets live elsewhere, a query for another type at a CNAME
// name gets the CNAME alone: the client has to follow it itself.
import net from 'node:net';
import dns2 from 'dns2';

// dns2's bundled types lack RCODE and the per-type resource shapes this server builds.
const { Packet } = dns2 as unknown as { Packet: any };

export interface ZoneEntry {
  /** Each TXT record: a string (split in 255-byte chunks when longer), or its chunks as an array. */
  TXT?: Array<string | string[]>;
  CNAME?: string;
  MX?: Array<{ exchange: string; priority: number }>;
  A?: string[];
}

export type Zone = Record<string, ZoneEntry>;

export interface TestDnsServer {
  /** `127.0.0.1:PORT`, for `dns_servers`. */
  server: string;
  port: number;
  /** Names queried, in order (lower case) with their type: proves lookups happened. */
  queries: Array<{ name: string; type: string }>;
  /** Replace records while the server runs. */
  zone: Zone;
  close(): Promise<void>;
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 5: 'CNAME', 15: 'MX', 16: 'TXT' };

/** A TXT character-string holds at most 255 bytes: longer values are split, as zone tools do. */
function chunked(value: string | string[]): string[] {
  const parts = Array.isArray(value) ? value : [value];
  return parts.flatMap((p) => p.match(/[\s\S]{1,255}/g) ?? ['']);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startDnsServer(zone: Zone): Promise<TestDnsServer> {
  const queries: TestDnsServer['queries'] = [];
  const state = { zone };
  const handle = (request: any, send: (r: any) => void) => {
    const response = Packet.createResponseFromRequest(request);
    response.header.aa = 1;
    const [question] = request.questions;
    const name = String(question.name).toLowerCase().replace(/\.$/, '');
    const type = TYPE_NAMES[question.type] ?? String(question.type);
    queries.push({ name, type });
    const entry = state.zone[name];
    if (!entry) {
      response.header.rcode = Packet.RCODE.NXDOMAIN;
      return send(response);
    }
    const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
    if (entry.CNAME) {
      response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
      return send(response);
    }
    if (type === 'TXT') for (const t of entry.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data: chunked(t) });
    if (type === 'MX') for (const m of entry.MX ?? []) response.answers.push({ ...base, type: Packet.TYPE.MX, exchange: m.exchange, priority: m.priority });
    if (type === 'A') for (const a of entry.A ?? []) response.answers.push({ ...base, type: Packet.TYPE.A, address: a });
    send(response);
  };

  let port = 0;
  let server!: ReturnType<typeof dns2.createServer>;
  // the free port is probed with TCP, then UDP and TCP bind it: retry with a fresh server if another process won the race
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    server = dns2.createServer({ udp: true, tcp: true, handle });
    server.on('requestError', () => undefined);
    try {
      await Promise.race([
        server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } }),
        new Promise((_, reject) => server.once('error', reject)),
      ]);
      server.on('error', () => undefined);
      break;
    } catch (err) {
      try {
        void server.close().catch(() => undefined);
      } catch {
        // a socket that never bound cannot be closed
      }
      if (attempt === 4) throw new Error(`could not start the test DNS server (dns2): ${(err as Error).message}`);
    }
  }
  return {
    server: `127.0.0.1:${port}`,
    port,
    queries,
    get zone() {
      return state.zone;
    },
    set zone(z: Zone) {
      state.zone = z;
    },
    close: async () => {
      await server.close();
    },
  };
}
