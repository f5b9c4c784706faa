// readInputFile (wmoe predict --input): CIFAR-10/100 batches as HWC images with their labels, IDX
// images padded to 32x32 without labels, and one-line errors naming the file.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { expectInputError } from '../helpers/errors.js';
import { cifarFileBytes, cifarPixels, writeIdx } from '../helpers/datasets.js';
import { readInputFile } from '../../src/infer/input_file.js';

const dir = tempDir();

describe('readInputFile', () => {
  it('a CIFAR-10 batch: 32x32x3 HWC pixels and the labels; CIFAR-100: fine or coarse labels', () => {
    const pixel = (c: number, y: number, x: number) => 7 * c + 3 * y + x;
    const ten = join(dir, 'ten.bin');
    writeFileSync(ten, cifarFileBytes([{ label: 4, pixels: cifarPixels(pixel) }, { label: 9, pixels: cifarPixels(() => 1) }]));
    const { images, labelled, format } = readInputFile(ten, 'cifar10', 10);
    expect({ labelled, format, n: images.n, shape: [images.height, images.width, images.channels] }).toEqual({ labelled: true, format: 'cifar10', n: 2, shape: [32, 32, 3] });
    expect(Array.from(images.labels)).toEqual([4, 9]);
    expect(images.pixels[(5 * 32 + 6) * 3 + 2]).toBe(pixel(2, 5, 6)); // HWC: row 5, column 6, channel 2
    expect(images.classNames?.[4]).toBe('deer');
    const hundred = join(dir, 'hundred.bin');
    writeFileSync(hundred, cifarFileBytes([{ coarse: 3, fine: 77, pixels: cifarPixels(pixel) }]));
    expect(Array.from(readInputFile(hundred, 'cifar100', 100).images.labels)).toEqual([77]);
    expect(Array.from(readInputFile(hundred, 'cifar100', 20, 'coarse').images.labels)).toEqual([3]);
  });

  it('IDX images: padded by 2 pixels to 32x32x1, unlabelled', () => {
    const bytes = Uint8Array.from({ length: 784 }, (_, i) => (i % 251) + 1);
    const path = writeIdx(join(dir, 'one-idx3-ubyte.gz'), [1, 28, 28], bytes, { gzip: true });
    const { images, labelled, format } = readInputFile(path, 'fashion-mnist', 10);
    expect({ labelled, format, n: images.n, shape: [images.height, images.width, images.channels] }).toEqual({ labelled: false, format: 'idx', n: 1, shape: [32, 32, 1] });
    expect(images.pixels[2 * 32 + 2]).toBe(bytes[0]);
    expect(images.pixels[31 * 32 + 31]).toBe(0);
    expect(images.classNames?.[0]).toBe('T-shirt/top');
  });

  it('bad files: one-line InputErrors naming the file', () => {
    const odd = join(dir, 'odd.bin');
    writeFileSync(odd, new Uint8Array(3073 + 5));
    expectInputError(() => readInputFile(odd, 'cifar10', 10), `${odd} is neither an IDX images file nor a CIFAR-10 binary batch (3078 bytes is not a whole number of 3073-byte records)`);
    const ten = join(dir, 'one10.bin');
    writeFileSync(ten, new Uint8Array(3073));
    expectInputError(() => readInputFile(ten, 'cifar100', 100), `${ten} is neither an IDX images file nor a CIFAR-100 binary batch (3073 bytes is not a whole number of 3074-byte records)`);
    const badLabel = join(dir, 'label.bin');
    writeFileSync(badLabel, cifarFileBytes([{ label: 12, pixels: cifarPixels(() => 0) }]));
    expectInputError(() => readInputFile(badLabel, 'cifar10', 10), `${badLabel} record 0 has label 12; expected < 10`);
    const small = writeIdx(join(dir, 'small-idx3-ubyte'), [1, 20, 20], new Uint8Array(400));
    expectInputError(() => readInputFile(small, 'mnist', 10), `${small} holds images of 20x20; expected 28x28`);
    const empty = writeIdx(join(dir, 'empty-idx3-ubyte'), [0, 28, 28], new Uint8Array(0));
    expectInputError(() => readInputFile(empty, 'mnist', 10), `${empty} holds 0 images`);
  });
});
