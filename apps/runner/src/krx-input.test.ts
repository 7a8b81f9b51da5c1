import { describe, expect, it } from 'vitest';
import { checkLimitPrice, checkSymbol } from './krx-input.js';

const failureOf = async (check: Promise<void>) =>
  check.then(
    () => null,
    (error: { exitCode: number; json: { code: string; message: string } }) => error,
  );

describe('symbols and prices typed on the command line', () => {
  it('accepts KRX codes and prices on the tick of the product', async () => {
    await expect(checkSymbol('005930')).resolves.toBeUndefined();
    await expect(checkSymbol('Q500001')).resolves.toBeUndefined();
    await expect(checkLimitPrice(70_000, '005930', '--price')).resolves.toBeUndefined();
    // 5 KRW is the ETN tick, not the stock tick at this price (10 KRW)
    await expect(checkLimitPrice(10_005, 'Q500001', '--price')).resolves.toBeUndefined();
  });

  it('refuses with exit 2, naming the nearest prices on the tick', async () => {
    const off = await failureOf(checkLimitPrice(70_001, '005930', '--price'));
    expect(off?.exitCode).toBe(2);
    expect(off?.json.code).toBe('INVALID_ORDER');
    expect(off?.json.message).toMatch(/not on the KRX tick \(100 KRW .*\): use 70,000 or 70,100/);
    const stockTick = await failureOf(checkLimitPrice(10_005, '005930', '--price'));
    expect(stockTick?.json.message).toContain('use 10,000 or 10,010');
    const zero = await failureOf(checkLimitPrice(0, '005930', '<KRW>'));
    expect(zero?.json.message).toBe('<KRW> must be more than 0 KRW (got 0).');
    const symbol = await failureOf(checkSymbol('00088k'));
    expect(symbol?.exitCode).toBe(2);
    expect(symbol?.json.message).toContain('Did you mean 00088K?');
  });
});
