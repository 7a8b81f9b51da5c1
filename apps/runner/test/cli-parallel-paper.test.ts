// Fifteen `qts order` processes started together in paper mode against `qts sandbox` (which
// refuses more than 2 calls a second per app key with EGW00201, as KIS paper does) all succeed:
// the processes share one QTS_HOME, so they share one pacing file and stay within the paper
// rate (1 call a second) together.

import {
  onlyJson,
  parseEnvLines,
  removeTempDirs,
  runQts,
  startQts,
  tempDir,
} from '@qts/test-utils';
import { afterAll, expect, it } from 'vitest';
import { expectShape, OrderSchema } from './helpers.js';

afterAll(() => removeTempDirs());

const PROCESSES = 15;

it(`${PROCESSES} parallel paper orders on one QTS_HOME: all accepted, no EGW00201`, async () => {
  const server = startQts(['sandbox', '--env', 'paper', '--port', '0'], { home: tempDir() });
  try {
    const env = parseEnvLines((await server.waitFor(/[\s\S]*QTS_KIS_HTS_ID=.*\n/))[0]);
    const home = tempDir();
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, (_, index) =>
        runQts(['order', 'buy', '005930', '1', '--price', String(70_000 + index * 100), '--json'], {
          home,
          env,
          timeoutMs: 90_000,
        }),
      ),
    );
    for (const result of results) {
      expect(`${result.stdout}${result.stderr}`).not.toContain('EGW00201');
      expect(result.code, result.stderr).toBe(0);
      expect(expectShape(OrderSchema, onlyJson(result)).brokerOrderId).not.toBeNull();
    }
  } finally {
    await server.stop('SIGTERM');
  }
}, 120_000);
