// One DNS resolver helper for every check that looks names up (dns.*, email.domain, tls, http).
import { Resolver } from 'node:dns/promises';

export interface ResolverOptions {
  /** `host` or `host:port` of DNS servers to ask instead of the system's (tests point at a local one). */
  servers?: string[];
  timeoutMs?: number;
}

export function makeResolver(options: ResolverOptions = {}): Resolver {
  const resolver = new Resolver({ timeout: Math.max(100, Math.min(options.timeoutMs ?? 5000, 30_000)), tries: 2 });
  if (options.servers?.length) resolver.setServers(options.servers);
  return resolver;
}

/** TXT records with each record's chunks joined, as the DNS specs intend (SPF/DKIM/DMARC). */
export async function resolveTxtJoined(resolver: Resolver, name: string): Promise<string[]> {
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    if (isNoData(err)) return [];
    throw err;
  }
}

/** NODATA / NXDOMAIN mean "no such record", which checks report as a finding, not an error. */
export function isNoData(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}
