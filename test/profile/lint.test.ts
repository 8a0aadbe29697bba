import { describe, expect, it } from 'vitest';
import { weakerNeeds } from '../../src/profile/lint.js';

describe('weakerNeeds', () => {
  it('names each check that needs a check of lower severity, with what follows and the fix', () => {
    const found = weakerNeeds([
      { id: 'dns.root', severity: 'optional', needs: [] },
      { id: 'tls.frontend', severity: 'critical', needs: ['dns.root', 'env'] },
      { id: 'env', severity: 'critical', needs: [] },
      { id: 'www', severity: 'recommended', needs: ['dns.root', 'env'] },
      { id: 'extra', severity: 'optional', needs: ['dns.root', 'missing'] },
    ]);
    expect(found.map((w) => [w.id, w.need])).toEqual([
      ['tls.frontend', 'dns.root'],
      ['www', 'dns.root'],
    ]);
    expect(found[0].message).toBe(
      'critical tls.frontend needs optional dns.root: when dns.root does not pass, tls.frontend is not verified (give dns.root severity critical, or drop the need)',
    );
  });
});
