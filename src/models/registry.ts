import { InputError } from '../errors.js';
import { MODEL_NAMES, type ModelName } from './backbone.js';
import type { ModelSpec } from './model_spec.js';
import { lenet5 } from './lenet5.js';
import { resnet18 } from './resnet18.js';
import { vit } from './vit.js';

/** Every model `--model` accepts, by name. */
const MODELS: Record<ModelName, ModelSpec> = { lenet5, resnet18, vit };

/** The registry entry of `name`; an InputError naming it when unknown. */
export function modelSpec(name: string): ModelSpec {
  const spec = (MODELS as Record<string, ModelSpec | undefined>)[name];
  if (!spec) throw new InputError(`unknown model '${name}' (known: ${MODEL_NAMES.join(', ')})`);
  return spec;
}
