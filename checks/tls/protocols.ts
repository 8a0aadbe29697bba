// tls.protocols: which TLS versions and weak cipher suites a server accepts, probed one handshake each.
import { z } from 'zod';
import { combine, defineCheck, error, fail, warn, type Verdict } from '../../src/check.js';
import { boolish, intish } from '../../src/params.js';
import { handshake, isProtocolVersionRefusal, type HandshakeResult, type TlsTarget } from '../../src/net/tls.js';
import { unreachableRemediation } from './certificate.js';

export const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof VERSIONS)[number];
const LABEL: Record<TlsVersion, string> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

/** Weak cipher suite groups, probed with TLS ≤ 1.2 (TLS 1.3 suites are all AEAD). */
export const WEAK_CIPHERS = [
  { group: 'NULL', ciphers: 'eNULL', why: 'no encryption', severity: 'fail' },
  { group: 'anonymous', ciphers: 'aNULL', why: 'no server authentication', severity: 'fail' },
  { group: 'EXPORT', ciphers: 'EXP', why: 'export-grade keys', severity: 'fail' },
  { group: 'RC4', ciphers: 'RC4', why: 'broken stream cipher', severity: 'fail' },
  { group: 'MD5', ciphers: 'MD5', why: 'MD5 MAC', severity: 'fail' },
  { group: '3DES', ciphers: '3DES', why: '64-bit block cipher (Sweet32)', severity: 'fail' },
  {
    group: 'CBC-SHA1',
    ciphers:
      'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA:CAMELLIA128-SHA:CAMELLIA256-SHA',
    why: 'CBC mode with SHA-1 MAC (Lucky13-style padding oracles)',
    severity: 'fail',
  },
  { group: 'static-RSA', ciphers: 'kRSA', why: 'RSA key exchange without forward secrecy', severity: 'warn' },
] as const;
export type CipherGroup = (typeof WEAK_CIPHERS)[number]['group'];
const GROUP_NAMES = WEAK_CIPHERS.map((c) => c.group) as [CipherGroup, ...CipherGroup[]];

export const params = z
  .object({
    host: z.string().min(1).describe('Host name or IP address to probe.'),
    port: intish().pipe(z.number().int().min(1).max(65535)).default(443).describe('TCP port.'),
    servername: z.string().min(1).optional().describe('SNI name; defaults to host.'),
    starttls: z.enum(['none', 'smtp', 'postgres']).default('none').describe('Upgrade a plain connection first (`smtp`, `postgres`); `none` for direct TLS.'),
    require_tls13: boolish().default(false).describe('Fail (instead of warn) when TLS 1.3 is not offered.'),
    ciphers: boolish().default(true).describe('Also probe for weak cipher suites (one handshake per group).'),
    allow_ciphers: z.array(z.enum(GROUP_NAMES)).default([]).describe(`Weak cipher groups to tolerate: ${GROUP_NAMES.join(', ')}.`),
  })
  .strict();
export type Params = z.output<typeof params>;

export type ProbeState = 'offered' | 'not-offered' | 'inconclusive' | 'unprobeable' | 'unreachable';
export interface Probe {
  state: ProbeState;
  /** Negotiated suite when offered. */
  cipher?: string;
  code?: string;
  message?: string;
}
export interface ProtocolFacts {
  versions: Record<TlsVersion, Probe>;
  /** Absent when cipher probing is off. */
  ciphers?: Partial<Record<CipherGroup, Probe>>;
}

/** Classifies one handshake: only the server's answer that it does not speak the version (a protocol-version alert, or a ServerHello for another version) means "not offered". */
export function classifyVersionProbe(r: HandshakeResult): Probe {
  if (r.ok) return { state: 'offered', cipher: r.cipher };
  if (r.stage === 'connect' || r.stage === 'starttls') return { state: 'unreachable', code: r.code, message: r.message };
  if (r.stage === 'options' || r.code === 'ERR_SSL_NO_CIPHER_MATCH' || r.code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE') {
    return { state: 'unprobeable', code: r.code, message: r.message };
  }
  if (isProtocolVersionRefusal(r.code)) return { state: 'not-offered', code: r.code };
  return { state: 'inconclusive', code: r.code, message: r.message };
}

/** A cipher group is refused on a handshake-failure alert too (no shared cipher), or when TLS ≤ 1.2 is refused. */
export function classifyCipherProbe(r: HandshakeResult): Probe {
  const p = classifyVersionProbe(r);
  if (p.state === 'inconclusive' && (r as { code?: string }).code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') return { state: 'not-offered', code: p.code };
  return p;
}

/** Pure decision: probe outcomes in, verdict out. */
export function evaluateProtocols(facts: ProtocolFacts, p: Params): Verdict {
  const v = facts.versions;
  const probes = [...Object.values(v), ...Object.values(facts.ciphers ?? {})];
  const unreachable = Object.values(v).find((x) => x.state === 'unreachable');
  if (unreachable && Object.values(v).every((x) => x.state === 'unreachable')) {
    return { ...error(unreachable.message ?? 'server unreachable'), remediation: unreachableRemediation(p.starttls) };
  }

  const parts: Verdict[] = [];
  const why = (x: Probe) => x.message ?? x.code ?? x.state;
  for (const old of ['TLSv1', 'TLSv1.1'] as const) {
    if (v[old].state === 'offered') {
      parts.push(fail(`${LABEL[old]} is offered (negotiated ${v[old].cipher}); expected it refused`, undefined, 'Disable TLS 1.0 and 1.1 (nginx: `ssl_protocols TLSv1.2 TLSv1.3;`; load balancers: a TLS 1.2+ security policy).'));
    } else if (v[old].state !== 'not-offered') {
      // Could not check: not known to be refused, so never a pass (nor a mere warning).
      parts.push(error(`${LABEL[old]} could not be probed conclusively: ${why(v[old])}`));
    }
  }
  const has13 = v['TLSv1.3'].state === 'offered';
  if (v['TLSv1.2'].state === 'not-offered') {
    parts.push(has13 ? warn('TLS 1.2 is not offered: clients without TLS 1.3 cannot connect') : fail('TLS 1.2 is not offered and neither is TLS 1.3', undefined, 'Enable TLS 1.2 and 1.3.'));
  } else if (v['TLSv1.2'].state !== 'offered') {
    parts.push(error(`TLS 1.2 could not be probed conclusively: ${why(v['TLSv1.2'])}`));
  }
  if (v['TLSv1.3'].state === 'not-offered') {
    const m = 'TLS 1.3 is not offered (recommended)';
    parts.push(p.require_tls13 ? fail(m, undefined, 'Enable TLS 1.3 (nginx: `ssl_protocols TLSv1.2 TLSv1.3;` with OpenSSL ≥ 1.1.1).') : warn(m));
  } else if (v['TLSv1.3'].state !== 'offered') {
    parts.push(error(`TLS 1.3 could not be probed conclusively: ${why(v['TLSv1.3'])}`));
  }

  // A weak cipher group whose probe got no clear answer is not known to be refused.
  const unprobed = WEAK_CIPHERS.filter((c) => ['unreachable', 'inconclusive'].includes(facts.ciphers?.[c.group]?.state ?? '') && !p.allow_ciphers.includes(c.group));
  if (unprobed.length) {
    const first = facts.ciphers![unprobed[0].group]!;
    parts.push(error(`weak cipher group${unprobed.length === 1 ? '' : 's'} ${unprobed.map((c) => c.group).join(', ')} could not be probed conclusively: ${why(first)}`));
  }

  const accepted: string[] = [];
  for (const spec of WEAK_CIPHERS) {
    const probe = facts.ciphers?.[spec.group];
    if (!probe || probe.state !== 'offered') continue;
    accepted.push(`${spec.group} (${probe.cipher})`);
    if (p.allow_ciphers.includes(spec.group)) continue;
    const message = `weak cipher suite accepted: ${probe.cipher} (${spec.group}: ${spec.why})`;
    parts.push(
      spec.severity === 'fail'
        ? fail(message, undefined, 'Restrict TLS 1.2 to ECDHE with AES-GCM or ChaCha20-Poly1305 (Mozilla "intermediate" configuration).')
        : warn(message),
    );
  }

  const offered = VERSIONS.filter((x) => v[x].state === 'offered').map((x) => LABEL[x]);
  const notProbed = WEAK_CIPHERS.filter((c) => facts.ciphers?.[c.group]?.state === 'unprobeable').map((c) => c.group);
  const evidence = {
    expected: { offered: ['TLS 1.2', 'TLS 1.3'], refused: ['TLS 1.0', 'TLS 1.1'], weakCiphers: [] },
    actual: { offered, weakCiphers: accepted },
    details: {
      versions: Object.fromEntries(VERSIONS.map((x) => [LABEL[x], v[x]])),
      ...(facts.ciphers ? { ciphers: facts.ciphers } : {}),
      ...(notProbed.length ? { notProbeableWithThisOpenSSL: notProbed } : {}),
      probes: probes.length,
    },
  };
  const cipherNote = facts.ciphers ? `; no weak cipher suites accepted${notProbed.length ? ` (${notProbed.join(', ')} not probeable with this OpenSSL)` : ''}` : '';
  return combine(parts, `offers ${offered.join(' and ')} only${cipherNote}`, evidence);
}

export default defineCheck({
  meta: {
    type: 'tls.protocols',
    title: 'Only modern TLS versions and cipher suites are offered',
    failureTitle: 'Outdated TLS versions or weak cipher suites are offered',
    description:
      'TLS 1.0/1.1 and weak suites (RC4, 3DES, CBC-SHA1, NULL, EXPORT) allow downgrade and decryption attacks and fail PCI DSS and SSL Labs grading. Probes each version with a separate handshake; only the server answering that it does not speak a version (a protocol-version alert, or a handshake answered with another version) counts as "not offered"; any other failure (reset, timeout, non-TLS answer) is reported as inconclusive.',
    remediation:
      'Offer TLS 1.2 and 1.3 only, with ECDHE + AES-GCM/ChaCha20 suites (Mozilla "intermediate" configuration).',
    docs: 'docs/checks.md#tls-protocols',
  },
  params,
  async run(ctx) {
    const p = ctx.params;
    const target: TlsTarget = { host: p.host, port: p.port, servername: p.servername, starttls: p.starttls, timeoutMs: ctx.timeoutMs, signal: ctx.signal };
    // Old versions need security level 0 on the client, or a server offering them looks as if it does not.
    const versionProbes = VERSIONS.map((version) =>
      handshake(target, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' }).then(classifyVersionProbe),
    );
    const cipherProbes = p.ciphers
      ? WEAK_CIPHERS.map((spec) => handshake(target, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: `${spec.ciphers}:@SECLEVEL=0` }).then(classifyCipherProbe))
      : [];
    const [versions, ciphers] = await Promise.all([Promise.all(versionProbes), Promise.all(cipherProbes)]);
    const facts: ProtocolFacts = {
      versions: Object.fromEntries(VERSIONS.map((x, i) => [x, versions[i]])) as Record<TlsVersion, Probe>,
      ciphers: p.ciphers ? Object.fromEntries(WEAK_CIPHERS.map((c, i) => [c.group, ciphers[i]])) : undefined,
    };
    ctx.log.debug(`tls.protocols ${p.host}:${p.port}: ${VERSIONS.map((x) => `${x}=${facts.versions[x].state}`).join(' ')}`);
    return evaluateProtocols(facts, p);
  },
});
