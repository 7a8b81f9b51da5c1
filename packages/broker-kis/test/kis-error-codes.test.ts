import { describe, expect, it } from 'vitest';
import { KIS_ERROR_CODES, kisRejectionCode } from '../src/index.js';

describe('kisRejectionCode', () => {
  it.each([
    ['APBK0952', 'INSUFFICIENT_FUNDS'],
    ['APBK0918', 'MARKET_CLOSED'],
    ['APBK0919', 'MARKET_CLOSED'],
    ['40570000', 'MARKET_CLOSED'],
    ['40580000', 'MARKET_CLOSED'],
    ['EGW00201', 'RATE_LIMITED'],
    ['EGW00215', 'RATE_LIMITED'],
    ['EGW00133', 'RATE_LIMITED'],
    ['EGW00121', 'AUTH'],
    ['EGW00123', 'AUTH'],
    ['EGW02004', 'ENVIRONMENT_MISMATCH'],
    ['EGW02005', 'ENVIRONMENT_MISMATCH'],
    ['EGW02006', 'ENVIRONMENT_MISMATCH'],
    ['APBK0656', 'BROKER_REJECTED'],
    ['OPSQ2001', 'BROKER_REJECTED'],
    ['', 'BROKER_REJECTED'],
    ['constructor', 'BROKER_REJECTED'],
  ])('%s -> %s', (msgCd, code) => {
    expect(kisRejectionCode(msgCd)).toBe(code);
  });

  it('checks exact codes first, then the longest prefix', () => {
    const prefixes = [
      ['EGW', { code: 'AUTH', source: 'test' }],
      ['EGW002', { code: 'RATE_LIMITED', source: 'test' }],
    ] as const;
    expect(kisRejectionCode('EGW00299', KIS_ERROR_CODES, prefixes)).toBe('RATE_LIMITED');
    expect(kisRejectionCode('EGW09999', KIS_ERROR_CODES, prefixes)).toBe('AUTH');
    expect(kisRejectionCode('EGW02004', KIS_ERROR_CODES, prefixes)).toBe('ENVIRONMENT_MISMATCH');
  });
});
