import { describe, expect, it } from 'vitest';
import { isValidSymbol, productTypeOfSymbol } from './symbol.js';

describe('isValidSymbol', () => {
  it.each(['005930', '00088K', '0001A0', 'Q500001', 'Q123456', 'ABCDEF'])(
    'accepts %s',
    (symbol) => {
      expect(isValidSymbol(symbol)).toBe(true);
    },
  );

  it.each([
    '',
    '5930',
    '0059300',
    '00088k',
    'Q50000A',
    'Q5000011',
    ' 005930',
    'A005930',
    5930,
    null,
    undefined,
  ])('refuses %s', (symbol) => {
    expect(isValidSymbol(symbol)).toBe(false);
  });
});

describe('productTypeOfSymbol', () => {
  it('knows an ETN by its Q prefix and nothing else', () => {
    expect(productTypeOfSymbol('Q500001')).toBe('etn');
    expect(productTypeOfSymbol('005930')).toBeUndefined();
    expect(productTypeOfSymbol('069500')).toBeUndefined();
  });
});
