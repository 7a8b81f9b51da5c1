import { expect, it } from 'vitest';
import { productName } from './names.js';

it('a known symbol has its product name; any other symbol an empty one, never the symbol', () => {
  expect(productName('005930')).toBe('삼성전자');
  expect(productName('999999')).toBe('');
  expect(productName('00088K')).toBe('');
});
