// A real local DNS server (npm dns2 2.x, UDP) answering from a small in-memory zone, plus a UDP socket
// that never answers (a hung resolver). Point checks at `127.0.0.1:<port>`.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import dns2 from 'dns2';

const { Packet } = dns2 as { Packet: any };

export type ZoneRecord =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'CNAME' | 'NS'; domain: string }
  | { type: 'MX'; exchange: string; priority: number }
  | { type: 'TXT'; data: string }
  | { type: 'CAA'; flags?: number; tag: string; value: string };

/** name (lower case, no trailing dot) → records. */
export type Zone = Record<string, ZoneRecord[]>;

export interface RunningDns {
  server: string;
  port: number;
  close(): Promise<void>;
}

export async function startDnsServer(zone: Zone): Promise<RunningDns> {
  const server = (dns2 as any).createServer({
    udp: true,
    handle(request: any, send: (r: any) => void) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = String(question.name).toLowerCase().replace(/\.$/, '');
      const records = zone[name];
      if (!records) {
        response.header.rcode = 3; // NXDOMAIN
        return send(response);
      }
      const cname = records.find((r) => r.type === 'CNAME');
      const wanted = Object.entries(Packet.TYPE).find(([, v]) => v === question.type)?.[0];
      const answer = (n: string, r: ZoneRecord) => {
        const base = { name: n, type: Packet.TYPE[r.type], class: Packet.CLASS.IN, ttl: 300 };
        if (r.type === 'CAA') response.answers.push({ flags: r.flags ?? 0, tag: r.tag, value: r.value, ...base });
        else response.answers.push({ ...r, ...base });
      };
      if (cname && wanted !== 'CNAME') {
        // Like a recursive resolver: the CNAME, then the target's records of the asked type.
        answer(name, cname);
        const target = (cname as { domain: string }).domain.toLowerCase();
        for (const r of zone[target] ?? []) if (r.type === wanted) answer(target, r);
      } else {
        for (const r of records) if (r.type === wanted) answer(name, r);
      }
      send(response);
    },
  });
  server.on('requestError', () => {});
  await server.listen({ udp: { port: 0, address: '127.0.0.1', type: 'udp4' } });
  const port = server.addresses().udp.port as number;
  return { server: `127.0.0.1:${port}`, port, close: () => server.close() };
}

/** A UDP socket that swallows every query. */
export async function startSilentDns(): Promise<RunningDns> {
  const socket = createSocket('udp4');
  socket.on('message', () => {});
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  return { server: `127.0.0.1:${port}`, port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
