// Parses a markdown checklist (`## Section`, `### Subsection`, `- [ ] item`, nested `  - [ ] child`)
// into items with stable keys such as "Stripe Integration / Webhooks / Events configured / customer.updated".
// A profile names these keys in a check's `covers:` field; the coverage table is built from them.

export interface ChecklistItem {
  /** "Section / Subsection / [Parent /] Text": what a check's `covers:` entry names. */
  key: string;
  section: string;
  subsection?: string;
  /** Text of the parent item for a nested item. */
  parent?: string;
  text: string;
  /** 1-based line in the markdown file. */
  line: number;
  /** True for an item with nested items under it (e.g. "Events configured:"). */
  hasChildren: boolean;
}

export const KEY_SEPARATOR = ' / ';

export class ChecklistError extends Error {}

const CHECKBOX = /^(\s*)[-*] \[[ xX]\] (.+?)\s*$/;

/** Heading text without decorations: "## ✅ Infrastructure" → "Infrastructure". */
export function headingText(line: string): string {
  return line
    .replace(/^#+\s*/, '')
    .replace(/^[^\p{L}\p{N}`]+/u, '')
    .trim();
}

/** Item text as used in keys: trailing colon removed ("Events configured:" → "Events configured"). */
export function itemText(raw: string): string {
  return raw.trim().replace(/:$/, '').trim();
}

export function parseChecklist(markdown: string): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  const seen = new Map<string, number>();
  let section: string | undefined;
  let subsection: string | undefined;
  let lastTop: ChecklistItem | undefined;
  let inFence = false;
  const lines = markdown.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) return;
    if (/^## /.test(line)) {
      section = headingText(line);
      subsection = undefined;
      lastTop = undefined;
      return;
    }
    if (/^### /.test(line)) {
      subsection = headingText(line);
      lastTop = undefined;
      return;
    }
    const match = CHECKBOX.exec(line);
    if (!match) return;
    if (!section) throw new ChecklistError(`line ${index + 1}: checklist item before any "## " section heading`);
    const nested = match[1].replace(/\t/g, '  ').length >= 2;
    const text = itemText(match[2]);
    if (nested && !lastTop) throw new ChecklistError(`line ${index + 1}: nested item "${text}" has no parent item`);
    const parent = nested ? lastTop : undefined;
    const key = [section, subsection, parent?.text, text].filter((p): p is string => Boolean(p)).join(KEY_SEPARATOR);
    const previous = seen.get(key);
    if (previous !== undefined) throw new ChecklistError(`line ${index + 1}: item "${key}" appears twice (first on line ${previous})`);
    seen.set(key, index + 1);
    const item: ChecklistItem = { key, section, ...(subsection ? { subsection } : {}), ...(parent ? { parent: parent.text } : {}), text, line: index + 1, hasChildren: false };
    if (parent) parent.hasChildren = true;
    else lastTop = item;
    items.push(item);
  });
  return items;
}
