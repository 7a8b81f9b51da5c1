import { describe, expect, it } from 'vitest';
import { sentences, trimLines } from './text.js';

describe('message and hint', () => {
  it('never run together: a message without a full stop gets one', () => {
    expect(sentences('nothing reached KIS', 'Could not reach the KIS token endpoint.')).toBe(
      'nothing reached KIS. Could not reach the KIS token endpoint.',
    );
    expect(sentences('Nothing was sent.', 'Fix it.')).toBe('Nothing was sent. Fix it.');
    expect(sentences('(nothing was sent)', 'Fix it.')).toBe('(nothing was sent). Fix it.');
    expect(sentences('Only this.', '')).toBe('Only this.');
  });

  it('table padding is removed at line ends only', () => {
    expect(trimLines('a  b   \nc    d \n')).toBe('a  b\nc    d\n');
  });
});
