import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { readOptions } from './options.js';

describe('readOptions', () => {
  const schema = v.object({ price: v.optional(v.string()), clientOrderId: v.optional(v.string()) });

  it('reads the flags a command takes and ignores the global ones', () => {
    expect(readOptions(schema, { price: '70000', json: true, mode: 'paper' })).toEqual({
      price: '70000',
    });
  });

  it('exit 2 naming the flag when a value has the wrong form', () => {
    let failure: unknown;
    try {
      readOptions(schema, { clientOrderId: 7 });
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ exitCode: 2, json: { code: 'USAGE' } });
    expect((failure as Error).message).toContain('--client-order-id');
  });
});
