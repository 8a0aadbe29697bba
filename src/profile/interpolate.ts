// `${VAR}`, `${VAR:-default}`, `${VAR:?message}` in the string values of a check's `with:`.
// An unset variable is not a profile error: it is a finding about the environment, reported by the check.
import type { DefaultUse } from '../report/model.js';

export interface EnvProblem {
  /** Dotted path of the parameter, e.g. `with.url`. */
  path: string;
  variable: string;
  message: string;
}

export interface Interpolated {
  value: unknown;
  problems: EnvProblem[];
  /** Parameter paths whose value came (wholly or partly) from the environment. */
  fromEnv: Map<string, string[]>;
  /** `${VAR:-default}` / `${VAR-default}` whose variable was unset (or empty): the default was used. */
  defaults: DefaultUse[];
}

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?|-|\?)((?:[^}\\]|\\.)*))?\}/g;

export function interpolate(value: unknown, env: Readonly<Record<string, string | undefined>>, path = 'with'): Interpolated {
  const problems: EnvProblem[] = [];
  const fromEnv = new Map<string, string[]>();
  const defaults: DefaultUse[] = [];

  const walk = (node: unknown, at: string): unknown => {
    if (typeof node === 'string') return replaceIn(node, at);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${at}.${i}`));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, `${at}.${k}`)]));
    }
    return node;
  };

  const replaceIn = (text: string, at: string): string => {
    const variables: string[] = [];
    const out = text.replace(REFERENCE, (whole, name: string | undefined, operator: string | undefined, arg: string | undefined) => {
      if (whole === '$$') return '$';
      const variable = name as string;
      variables.push(variable);
      const raw = env[variable];
      const unset = raw === undefined;
      const empty = raw === '';
      const argument = (arg ?? '').replace(/\\(.)/g, '$1');
      switch (operator) {
        case ':-':
        case '-':
          if (unset || (operator === ':-' && empty)) {
            defaults.push({ variable, value: argument, path: at });
            return argument;
          }
          return raw as string;
        case ':?':
        case '?':
          if (unset || (operator === ':?' && empty)) {
            problems.push({ path: at, variable, message: argument || `${variable} is not set` });
            return '';
          }
          return raw as string;
        default:
          if (unset || empty) problems.push({ path: at, variable, message: `${variable} is ${unset ? 'not set' : 'empty'}` });
          return raw ?? '';
      }
    });
    if (variables.length) fromEnv.set(at, variables);
    return out;
  };

  return { value: walk(value, path), problems, fromEnv, defaults };
}
