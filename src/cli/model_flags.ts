import { InputError } from '../errors.js';
import type { ModelOptions } from '../models/model_spec.js';

/**
 * Parses `--model-options patch=4,width=192` into { patch: 4, width: 192 }; each value must be
 * a finite number (the model's registry entry then checks names and ranges).
 */
export function parseModelOptions(text: string | undefined): ModelOptions | undefined {
  if (text === undefined) return undefined;
  const out: ModelOptions = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(\S+)\s*$/.exec(part);
    const value = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(value)) throw new InputError(`--model-options '${text}': '${part}' is not NAME=NUMBER`);
    if (m[1] in out) throw new InputError(`--model-options '${text}' gives ${m[1]} twice`);
    out[m[1]] = value;
  }
  return out;
}
