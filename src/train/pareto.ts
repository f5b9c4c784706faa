// The accuracy vs channel-uses sweep behind `wmoe demo --pareto`: stage 2 retrained per link and
// channel-use weight λ from one stage-1 model, both gates evaluated on the test features.
import type { DistributedMoE } from '../moe/model.js';
import type { GateKind } from '../moe/gate.js';
import type { Link } from '../link/link.js';
import type { SnrSpec } from '../link/snr.js';
import type { ChannelSettings } from '../link/channel_settings.js';
import type { TrainConfig } from './config.js';
import type { FeatureSet } from './features.js';
import type { ProgressFn } from './progress.js';
import { trainStage2 } from './stage2.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { fail } from '../errors.js';

/** The channel-use weights λ of `wmoe demo --pareto`. */
export const DEFAULT_PARETO_LAMBDAS: readonly number[] = Object.freeze([0, 0.01, 0.03, 0.1, 0.3, 1]);

/** One link of the sweep: its label in the rows, and a factory of a fresh link object. */
export interface ParetoLink {
  label: string;
  /**
   * Builds the link. Called once per stage-2 run and once per evaluation, so that a digital
   * link's running totals and an adaptive link's outer-loop state start afresh each time.
   */
  make: () => Link;
  /**
   * This link's channel-use weights, instead of the sweep's: e.g. [0] for a link that costs the same
   * on every expert (analog, a fixed MCS), where λ has no gradient and every λ trains the same gate.
   */
  lambdas?: readonly number[];
}

export interface ParetoOptions {
  links: ParetoLink[];
  /** Channel-use weights λ ≥ 0, strictly increasing; default {@link DEFAULT_PARETO_LAMBDAS}. */
  lambdas?: readonly number[];
  /** Mean SNRs of the links in the test evaluations. */
  snr: SnrSpec;
  /** Fading and CSI for stage 2 and the evaluations; absent: cfg.channel (absent too: AWGN, perfect CSI). */
  channel?: ChannelSettings;
  /** Seed of the test evaluations (the same for every link, gate and λ: same SNRs, fades, CSI). */
  seed: number;
  progress?: ProgressFn;
}

/** One point of the sweep: a gate over a link, its stage 2 trained with weight λ. */
export interface ParetoRow {
  link: string;
  lambda: number;
  gate: GateKind;
  /** Test accuracy. */
  accuracy: number;
  /** Channel uses per sample (chosen experts' links, receiver pilots included): mean and p95. */
  channelUses: { mean: number; p95: number };
}

function checkOptions(options: ParetoOptions, lambdas: readonly number[]): void {
  if (options.links.length === 0) fail('pareto sweep: no links given');
  const labels = new Set<string>();
  for (const { label } of options.links) {
    if (labels.has(label)) fail(`pareto sweep: link label '${label}' given twice`);
    labels.add(label);
  }
  if (lambdas.length === 0) fail('pareto sweep: no channel-use weights given');
  lambdas.forEach((l, i) => {
    if (!(l >= 0) || !Number.isFinite(l)) fail(`pareto sweep: channel-use weight ${l} is not a finite number ≥ 0`);
    if (i > 0 && !(l > lambdas[i - 1])) fail(`pareto sweep: channel-use weights must increase strictly, got ${lambdas[i - 1]} then ${l}`);
  });
}

/**
 * Accuracy against channel uses per sample, for each link of `options.links` and each weight λ:
 * from the model's current (stage-1) weights, stage 2 trains the channel-aware gate over that
 * link with cfg.channelUseWeight = λ under the sweep's channel (see trainStage2: its gate is
 * re-initialised, so every run starts from the same point), then the test features are evaluated
 * with the channel-aware gate. The naive gate does not depend on λ (stage 2 does not touch it):
 * it is evaluated once per link and its row repeated for every λ. Rows come link by link, λ in
 * the given order, naive before channel-aware. The model ends holding the weights it started
 * with. Over links whose every expert costs the same channel uses per sample (analog, a fixed
 * MCS) the λ term has no gradient, so λ moves only adaptive links. Deterministic for cfg.seed
 * and options.seed. Cost: one stage 2 per (link, λ).
 */
export function paretoSweep(
  model: DistributedMoE,
  features: { train: FeatureSet; validation: FeatureSet; test: FeatureSet },
  cfg: TrainConfig,
  options: ParetoOptions,
): ParetoRow[] {
  const lambdas = options.lambdas ?? DEFAULT_PARETO_LAMBDAS;
  checkOptions(options, lambdas);
  const channel = options.channel ?? cfg.channel;
  const stage1 = model.params.toFlat();
  const rows: ParetoRow[] = [];
  const evalOn = (link: ParetoLink, gate: GateKind, lambda?: number): EvalResult =>
    evaluate(model, features.test, {
      gate,
      link: link.make(),
      snr: options.snr,
      ...(channel ? { channel } : {}),
      seed: options.seed,
      progress: options.progress,
      label: `pareto: ${gate} gate, ${link.label}${lambda === undefined ? '' : `, λ = ${lambda}`}`,
    });
  const row = (link: ParetoLink, lambda: number, gate: GateKind, r: EvalResult): ParetoRow => ({
    link: link.label,
    lambda,
    gate,
    accuracy: r.accuracy,
    channelUses: { mean: r.channelUses.mean, p95: r.channelUses.p95 },
  });
  try {
    for (const link of options.links) {
      model.params.fromFlat(stage1);
      const naive = evalOn(link, 'naive');
      for (const lambda of link.lambdas ?? lambdas) {
        model.params.fromFlat(stage1);
        trainStage2(model, features.train, features.validation, link.make(), { ...cfg, ...(channel ? { channel } : {}), channelUseWeight: lambda }, options.progress);
        rows.push(row(link, lambda, 'naive', naive), row(link, lambda, 'channel-aware', evalOn(link, 'channel-aware', lambda)));
      }
    }
  } finally {
    model.params.fromFlat(stage1);
  }
  return rows;
}
