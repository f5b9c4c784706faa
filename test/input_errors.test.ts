// Every library check that rejects user input (a code spec, an alist file, a modulation, a link,
// an SNR text, a simulation option) throws InputError, which the CLI prints as one line; any
// other error is a bug and shows as a crash.
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { ldpcCode, alistCode } from '../src/codes/ldpc.js';
import { wifiCode } from '../src/codes/ieee80211n.js';
import { nrCode } from '../src/codes/nr.js';
import { parseAlist } from '../src/codes/alist.js';
import { getModem } from '../src/channel/modems.js';
import { createLink } from '../src/link/index.js';
import { DigitalCodec } from '../src/link/digital_codec.js';
import { parseSnrList, parseSnrRange } from '../src/link/snr.js';
import { simulateBer } from '../src/sim/ber.js';
import { parseSnrRange as parseSweep } from '../src/sim/range.js';
import { loadDataset } from '../src/data/index.js';
import type { ModulationName } from '../src/channel/modem.js';
import { expectInputError } from './helpers/errors.js';

describe('user-facing checks throw InputError with the whole message naming the value', () => {
  it('LDPC code specs and tables', () => {
    expectInputError(() => ldpcCode('80211n:648:7/8'), "ldpcCode: no 802.11n code '80211n:648:7/8' (N ∈ {648, 1296, 1944}, R ∈ {1/2, 2/3, 3/4, 5/6})");
    expectInputError(() => ldpcCode('5gnr:bg3:z4'), "ldpcCode: bad 5G NR spec '5gnr:bg3:z4' (expected '5gnr:bg1|bg2:zZ' with optional ':mother' or ':eE')");
    expectInputError(
      () => ldpcCode('5gnr:bg2:z17'),
      "ldpcCode('5gnr:bg2:z17'): nrCode: lifting size Z = 17 is not in TS 38.212 Table 5.3.2-1 (Z = a·2^j ≤ 384, a ∈ {2,3,5,7,9,11,13,15})",
    );
    expectInputError(() => ldpcCode('5gnr:bg2:z4:x9'), "ldpcCode: bad 5G NR variant 'x9' in '5gnr:bg2:z4:x9' (expected ':mother' or ':eE' with 1 <= E <= 67108864 bits)");
    expectInputError(() => ldpcCode('alist:'), "ldpcCode: 'alist:' needs a file path");
    expectInputError(
      () => ldpcCode('turbo'),
      "ldpcCode: unknown spec 'turbo' (expected '80211n:N:R', '5gnr:bg1|bg2:zZ[:mother|:eE]', 'alist:PATH' or 'alist-text:TEXT')",
    );
    expectInputError(() => wifiCode(100, '1/2'), 'wifiCode: no 802.11n code with N = 100 and R = 1/2 (N ∈ {648, 1296, 1944}, R ∈ {1/2, 2/3, 3/4, 5/6})');
    expectInputError(() => nrCode(3, 2), 'nrCode: base graph 3 is not 1 or 2');
  });

  it('alist files: malformed text, and a matrix that leaves no information bits', () => {
    expectInputError(() => parseAlist('1 1\n1 1\n1\n'), 'alist: only 3 non-empty lines, need at least 4 header lines');
    expectInputError(() => alistCode('1 1\n1 1\n1\n'), "ldpcCode('alist-text'): alist: only 3 non-empty lines, need at least 4 header lines");
    // H = [1]: one check on one bit, rank 1 = n.
    expectInputError(() => alistCode('1 1\n1 1\n1\n1\n1\n1\n'), "ldpcCode('alist-text'): Gf2SystematicEncoder: H (1 x 1) has rank 1 = n, so the code has no information bits");
  });

  it('modulations, links and digital link options', () => {
    expectInputError(() => getModem('256qam' as ModulationName), "wireless-moe/channel: unknown modulation '256qam' (expected bpsk, qpsk, 16qam or 64qam)");
    expectInputError(() => createLink('optical'), "unknown link 'optical' (known: perfect, analog, digital)");
    expectInputError(() => new DigitalCodec({ code: '80211n:648:1/2', modulation: 'bpsk', bits: 0 }), 'quantiser bits must be an integer in 1…16, got 0');
    expectInputError(
      () => new DigitalCodec({ code: '5gnr:bg2:z2:e101', modulation: 'qpsk', bits: 8 }),
      'code 5gnr:bg2:z2:e101 has n = 101, not a multiple of 2 bits per qpsk symbol',
    );
  });

  it('SNR texts', () => {
    expectInputError(() => parseSnrList('1,x', 2), "SNR 'x' in --snr-db '1,x' is not a finite number of dB");
    expectInputError(() => parseSnrList('1,2,3', 4), "--snr-db '1,2,3' gives 3 SNRs but the model has K = 4 experts");
    expectInputError(() => parseSnrRange('5:5'), "SNR range '5:5' needs MIN < MAX");
    expectInputError(() => parseSnrRange('a:b'), "SNR range 'a:b' is not MIN:MAX in dB");
    expectInputError(() => parseSweep('0:1:2:3', '--ebn0-db'), "--ebn0-db '0:1:2:3' must be start:step:stop or a comma list");
  });

  it('simulation options', () => {
    expectInputError(() => simulateBer({ code: 'none', ebn0Db: [1], maxFrames: 0 }), 'simulateBer: maxFrames must be an integer in [1, 2^53], got 0');
  });

  it('dataset names', async () => {
    await expect(loadDataset('imagenet')).rejects.toBeInstanceOf(InputError);
  });

  it('an API precondition (not user input) stays a plain Error', () => {
    expect(() => ldpcCode(42 as unknown as string)).toThrow(Error);
    expect(() => ldpcCode(42 as unknown as string)).not.toThrow(InputError);
  });
});
