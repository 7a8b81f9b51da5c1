// Korea Standard Time formatting for KIS wire values, on the contract's Seoul date and time.
import { seoulDate, seoulTime } from '@qts/order-contract';

/** `YYYY-MM-DD HH:MM:SS` in KST (the token endpoint's `access_token_token_expired`). */
export function kstDateTime(epochMs: number): string {
  const date = kstDate(epochMs);
  const time = kstTime(epochMs);
  return `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)} ${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}`;
}

/** `YYYYMMDD` in KST (the contract's `seoulDate`). */
export function kstDate(epochMs: number): string {
  return seoulDate(new Date(epochMs));
}

/** `HHMMSS` in KST (the contract's `seoulTime`). */
export function kstTime(epochMs: number): string {
  return seoulTime(new Date(epochMs));
}

/** `YYYYMMDDHHMMSS` in KST (PINGPONG `datetime`). */
export function kstCompact(epochMs: number): string {
  return `${kstDate(epochMs)}${kstTime(epochMs)}`;
}

/** Epoch ms of an ISO 8601 string, or null. */
export function parseIso(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
