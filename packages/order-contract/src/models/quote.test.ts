import { describe, expect, it } from 'vitest';
import { isWithinPriceLimits } from './quote.js';

describe('isWithinPriceLimits', () => {
  const quote = { upperLimit: 91_000, lowerLimit: 49_000 };
  it('accepts both limits and prices between them', () => {
    expect(isWithinPriceLimits(quote, 49_000)).toBe(true);
    expect(isWithinPriceLimits(quote, 70_000)).toBe(true);
    expect(isWithinPriceLimits(quote, 91_000)).toBe(true);
  });
  it('refuses one tick above the upper limit and below the lower one', () => {
    expect(isWithinPriceLimits(quote, 91_100)).toBe(false);
    expect(isWithinPriceLimits(quote, 48_950)).toBe(false);
  });
});
