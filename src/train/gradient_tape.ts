// Cleaning up after a gradient computation that threw. tfjs-core keeps a copy of every tensor a
// kernel saves for the backward pass (engine.saveTensorsForBackwardMode: kept, so no tidy
// disposes it) and disposes them only when the gradients are complete; when the forward or the
// backward pass throws (say out of WASM memory), they stay allocated for good. With threads they
// are blocks of WASM memory, so a smaller retry would have less memory than a fresh process.

/** The part of tfjs-core's engine state that the gradient tape lives in. */
interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: { dispose(): void }[] }[] | null;
}

/**
 * Disposes the tensors saved for the backward pass by an outermost gradient computation that
 * threw, and drops its tape. Does nothing while a gradient computation is still running
 * (nested gradients) or when there is no tape left.
 */
export function releaseGradientTape(engine: { state: unknown }): void {
  const state = engine.state as TapeState;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}
