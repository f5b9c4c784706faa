import { describe, expect, it } from 'vitest';
import { ieee80211nMcsTable } from '../../../src/codes/mcs/ieee80211n.js';
import { NR_MCS_TABLE1 } from '../../../src/codes/mcs/nr.js';
import {
  formatMcsSpec,
  MCS_BITS_PER_SYMBOL,
  MCS_TABLE_NAMES,
  mcsEntry,
  mcsTable,
  parseMcsSpec,
} from '../../../src/codes/mcs/table.js';
import * as codes from '../../../src/codes/index.js';
import { expectInputError } from '../../helpers/errors.js';

describe('MCS specs TABLE[:INDEX]', () => {
  it('is exported from wireless-moe/codes', () => {
    expect(codes.parseMcsSpec).toBe(parseMcsSpec);
    expect(codes.NR_MCS_TABLE1).toBe(NR_MCS_TABLE1);
    expect(codes.ieee80211nMcsTable).toBe(ieee80211nMcsTable);
    expect(typeof codes.nrBaseGraph).toBe('function');
  });

  it('parses whole tables', () => {
    expect(MCS_TABLE_NAMES).toEqual(['80211n:648', '80211n:1296', '80211n:1944', 'nr']);
    for (const n of [648, 1296, 1944]) expect(parseMcsSpec(`80211n:${n}`)).toEqual({ table: ieee80211nMcsTable(n), index: null });
    expect(parseMcsSpec('nr').table).toBe(NR_MCS_TABLE1);
    expect(parseMcsSpec('nr:table1')).toEqual({ table: NR_MCS_TABLE1, index: null });
    expect(parseMcsSpec(' nr ').index).toBeNull();
    expect(mcsTable('80211n:1944')).toBe(ieee80211nMcsTable(1944));
  });

  it('parses one fixed MCS, and formats specs canonically', () => {
    const s = parseMcsSpec('80211n:1944:5');
    expect(s.table).toBe(ieee80211nMcsTable(1944));
    expect(s.index).toBe(5);
    expect(mcsEntry(s.table, 5).code).toBe('80211n:1944:2/3');
    expect(parseMcsSpec('nr:17')).toEqual({ table: NR_MCS_TABLE1, index: 17 });
    expect(parseMcsSpec('nr:table1:17')).toEqual({ table: NR_MCS_TABLE1, index: 17 });
    expect(parseMcsSpec('nr:0').index).toBe(0);
    expect(parseMcsSpec('80211n:648:7').index).toBe(7);
    expect(formatMcsSpec(parseMcsSpec('nr:table1:17'))).toBe('nr:17');
    expect(formatMcsSpec(parseMcsSpec('nr:table1'))).toBe('nr');
    expect(formatMcsSpec(parseMcsSpec('80211n:648:3'))).toBe('80211n:648:3');
  });

  it('every entry of every table is consistent with its modulation', () => {
    for (const name of MCS_TABLE_NAMES) {
      mcsTable(name).entries.forEach((e, i) => {
        expect(e.index).toBe(i);
        expect(e.bitsPerSymbol).toBe(MCS_BITS_PER_SYMBOL[e.modulation]);
        expect(e.spectralEfficiency).toBeCloseTo(e.bitsPerSymbol * e.rate, 4);
        expect(e.n % e.bitsPerSymbol).toBe(0);
      });
    }
  });

  it('rejects unknown tables, bad and absent indices in one line naming the value', () => {
    const tables = "expected TABLE or TABLE:INDEX with TABLE one of 80211n:648, 80211n:1296, 80211n:1944, nr (or nr:table1)";
    expectInputError(() => parseMcsSpec('80211n'), `unknown MCS spec '80211n' (${tables})`);
    expectInputError(() => parseMcsSpec('80211n:1000'), `unknown MCS spec '80211n:1000' (${tables})`);
    expectInputError(() => parseMcsSpec('80211n:1000:3'), `unknown MCS spec '80211n:1000:3' (${tables})`);
    expectInputError(() => parseMcsSpec('lte:3'), `unknown MCS spec 'lte:3' (${tables})`);
    expectInputError(() => parseMcsSpec(''), `unknown MCS spec '' (${tables})`);
    expectInputError(() => parseMcsSpec('nr:table2:3'), `unknown MCS spec 'nr:table2:3' (${tables})`);
    expectInputError(
      () => parseMcsSpec('80211n:1944:9'),
      "MCS spec '80211n:1944:9': MCS table '80211n:1944' has no index 9 (usable indices 0–7)",
    );
    expectInputError(() => parseMcsSpec('nr:29'), "MCS spec 'nr:29': MCS index 29 is reserved in table 'nr' (usable indices 0–28)");
    expectInputError(() => parseMcsSpec('nr:table1:31'), "MCS spec 'nr:table1:31': MCS index 31 is reserved in table 'nr' (usable indices 0–28)");
    expectInputError(() => parseMcsSpec('nr:32'), "MCS spec 'nr:32': MCS table 'nr' has no index 32 (usable indices 0–28)");
    expectInputError(() => parseMcsSpec('nr:-1'), "bad MCS index '-1' in 'nr:-1' (expected an integer 0–28)");
    expectInputError(() => parseMcsSpec('80211n:648:2.5'), "bad MCS index '2.5' in '80211n:648:2.5' (expected an integer 0–7)");
    expectInputError(() => parseMcsSpec('80211n:648:'), "bad MCS index '' in '80211n:648:' (expected an integer 0–7)");
    expectInputError(() => mcsTable('nr:3'), "'nr:3' names one MCS, not a table (drop ':3')");
    expectInputError(() => mcsEntry(NR_MCS_TABLE1, 1.5), "MCS table 'nr' has no index 1.5 (usable indices 0–28)");
    expectInputError(() => parseMcsSpec(7 as unknown as string), 'MCS spec must be a string, got 7');
  });
});
