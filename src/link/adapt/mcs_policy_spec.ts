// The MCS policy of a digital link as the user names it (`--mcs`): one fixed MCS of a table
// (`80211n:1944:5`), or adaptive per (sample, expert) pair (`adaptive[:bler=0.1][:table=…][:olla]
// [:outage]`). Parsing and formatting only; the policy itself is policy.ts.
import { formatMcsSpec, parseMcsSpec, type McsTable } from '../../codes/mcs/table.js';
import { InputError } from '../../errors.js';

/** How a digital link picks its MCS: one fixed MCS, or adaptively per (sample, expert). */
export type McsPolicySpec =
  | { kind: 'fixed'; table: McsTable; index: number }
  | { kind: 'adaptive'; table: McsTable; bler: number; olla: boolean; outage: boolean };


/** Default adaptive-MCS settings: BLER target 0.1 on 802.11n 1944. */
export const ADAPTIVE_MCS_DEFAULTS = Object.freeze({ bler: 0.1, table: '80211n:1944' });


/** Parses `--mcs`: `TABLE:I` (one MCS) or `adaptive[:bler=t][:table=T][:olla][:outage]`, t in (0, 1). */
export function parseMcsPolicy(text: string): McsPolicySpec {
  const t = text.trim();
  if (t === 'adaptive' || t.startsWith('adaptive:')) return parseAdaptive(text, t.split(':').slice(1));
  const { table, index } = parseMcsSpec(t);
  if (index === null) throw new InputError(`--mcs '${text}' names a whole table: give ${table.name}:I (one MCS) or adaptive:table=${table.name}`);
  return { kind: 'fixed', table, index };
}

const ADAPTIVE_SYNTAX = 'expected adaptive[:bler=0.1][:table=80211n:1944|80211n:648|80211n:1296|nr][:olla][:outage]';

/** A token that starts a new key of the adaptive grammar (anything else continues a table name). */
function isAdaptiveKey(token: string): boolean {
  return token === 'olla' || token === 'outage' || token.startsWith('bler=') || token.startsWith('table=');
}

function parseAdaptive(text: string, tokens: string[]): McsPolicySpec {
  const spec: Extract<McsPolicySpec, { kind: 'adaptive' }> = { kind: 'adaptive', table: parseMcsSpec(ADAPTIVE_MCS_DEFAULTS.table).table, bler: ADAPTIVE_MCS_DEFAULTS.bler, olla: false, outage: false };
  const seen = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i];
    if (token.startsWith('table=')) while (i + 1 < tokens.length && !isAdaptiveKey(tokens[i + 1])) token += `:${tokens[++i]}`;
    const key = token.includes('=') ? token.slice(0, token.indexOf('=')) : token;
    if (!isAdaptiveKey(token)) throw new InputError(`--mcs '${text}': unknown key '${token}' (${ADAPTIVE_SYNTAX})`);
    if (seen.has(key)) throw new InputError(`--mcs '${text}': key '${key}' given twice`);
    seen.add(key);
    const value = token.slice(key.length + 1);
    if (key === 'bler') spec.bler = parseBler(text, value);
    else if (key === 'table') spec.table = adaptiveTable(text, value);
    else if (key === 'olla') spec.olla = true;
    else spec.outage = true;
  }
  return spec;
}

function parseBler(text: string, value: string): number {
  const b = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(b > 0 && b < 1)) throw new InputError(`--mcs '${text}': BLER target '${value}' is not a number in (0, 1)`);
  return b;
}

function adaptiveTable(text: string, value: string): McsTable {
  let parsed;
  try {
    parsed = parseMcsSpec(value);
  } catch (e) {
    throw new InputError(`--mcs '${text}': ${(e as Error).message}`);
  }
  if (parsed.index !== null) throw new InputError(`--mcs '${text}': table '${value}' names one MCS, not a table (drop ':${parsed.index}')`);
  return parsed.table;
}

/** The flag text of an MCS policy (inverse of parseMcsPolicy). */
export function formatMcsPolicy(p: McsPolicySpec): string {
  if (p.kind === 'fixed') return formatMcsSpec({ table: p.table, index: p.index });
  return `adaptive:bler=${p.bler}:table=${p.table.name}${p.olla ? ':olla' : ''}${p.outage ? ':outage' : ''}`;
}

