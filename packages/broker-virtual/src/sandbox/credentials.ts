import { randomBytes, randomInt } from 'node:crypto';
import type { KisSandboxCredentials } from './types.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64ISH = `${ALNUM}+/`;

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Random alphanumeric string (AES key/iv, ids). */
export function randomAlnum(length: number): string {
  return randomFrom(ALNUM, length);
}

/** Random lower-case hex string. */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

/** Credentials of the shapes KIS issues: app key 36 chars, secret 180, account NNNNNNNN-NN. */
export function generateCredentials(environment: 'real' | 'paper'): KisSandboxCredentials {
  const appKey = `PS${randomFrom(ALNUM, 34)}`;
  const appSecret = `${randomFrom(BASE64ISH, 179)}=`;
  const prefix = environment === 'paper' ? '50' : '64';
  const account = `${prefix}${String(randomInt(1_000_000)).padStart(6, '0')}-01`;
  const htsId = `qts${randomFrom('abcdefghijklmnopqrstuvwxyz0123456789', 5)}`;
  return { appKey, appSecret, account, htsId };
}
