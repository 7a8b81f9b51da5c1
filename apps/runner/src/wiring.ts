// Wires adapter + execution route for the configured mode. (Being completed as the sibling
// packages land.)
import type { Engine } from './engine.js';
import { configFailure } from './failure.js';
import type { Runtime } from './runtime.js';

export async function createEngine(_runtime: Runtime): Promise<Engine> {
  throw configFailure('Not wired yet.', 'Wait for execution-route.');
}
