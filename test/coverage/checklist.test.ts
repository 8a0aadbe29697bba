import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChecklistError, headingText, parseChecklist } from '../../src/coverage/checklist.js';
import { ROOT } from '../support/cli.js';

describe('parseChecklist', () => {
  it('builds keys from section, subsection, parent and text', () => {
    const items = parseChecklist(['## ✅ Stripe', '', '### Webhooks', '- [ ] Endpoint created', '- [ ] Events configured:', '  - [ ] customer.updated', '- [ ] Tested'].join('\n'));
    expect(items.map((i) => i.key)).toEqual([
      'Stripe / Webhooks / Endpoint created',
      'Stripe / Webhooks / Events configured',
      'Stripe / Webhooks / Events configured / customer.updated',
      'Stripe / Webhooks / Tested',
    ]);
    expect(items[1].hasChildren).toBe(true);
    expect(items[2]).toMatchObject({ parent: 'Events configured', text: 'customer.updated', line: 6 });
    expect(items[3].parent).toBeUndefined();
  });

  it('keeps backticks and inner colons, ignores checkboxes inside code fences and text outside lists', () => {
    const items = parseChecklist(['## A', '### B', 'Some prose.', '- [ ] Health endpoint responding: `/health`', '```', '- [ ] not an item', '```', '- [x] Done item'].join('\n'));
    expect(items.map((i) => i.key)).toEqual(['A / B / Health endpoint responding: `/health`', 'A / B / Done item']);
  });

  it('rejects duplicate keys, items before a section and orphan nested items', () => {
    expect(() => parseChecklist('## A\n- [ ] x\n- [ ] x')).toThrow(/appears twice/);
    expect(() => parseChecklist('- [ ] x')).toThrow(ChecklistError);
    expect(() => parseChecklist('## A\n### B\n  - [ ] child')).toThrow(/no parent/);
  });

  it('strips heading decorations', () => {
    expect(headingText('## ✅ Infrastructure')).toBe('Infrastructure');
    expect(headingText('### Backend `.env`')).toBe('Backend `.env`');
  });

  it('reads the bundled copy of the SaaS checklist: 282 items, 5 parents with nested items', () => {
    const copy = readFileSync(resolve(ROOT, 'docs/checklist/production-readiness-checklist.md'), 'utf8');
    const items = parseChecklist(copy);
    expect(items).toHaveLength(282);
    expect(new Set(items.map((i) => i.key)).size).toBe(282);
    expect(items.filter((i) => i.hasChildren).map((i) => i.text)).toEqual(['Events configured', 'Email provider chosen', 'Services configured', 'DNS records configured', 'Security headers configured']);
    expect(items.map((i) => i.key)).toContain('Stripe Integration / Webhooks / Events configured / customer.updated');
    expect(items.map((i) => i.key)).toContain('Environment Configuration / Backend `.env` / DATABASE_URL configured');
  });
});
