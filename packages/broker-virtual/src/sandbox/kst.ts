// Korea Standard Time (UTC+9, no daylight saving) formatting for KIS wire values.

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

function parts(epochMs: number): {
  y: string;
  mo: string;
  d: string;
  h: string;
  mi: string;
  s: string;
} {
  const date = new Date(epochMs + KST_OFFSET_MS);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return {
    y: pad(date.getUTCFullYear(), 4),
    mo: pad(date.getUTCMonth() + 1),
    d: pad(date.getUTCDate()),
    h: pad(date.getUTCHours()),
    mi: pad(date.getUTCMinutes()),
    s: pad(date.getUTCSeconds()),
  };
}

/** `YYYY-MM-DD HH:MM:SS` in KST (the token endpoint's `access_token_token_expired`). */
export function kstDateTime(epochMs: number): string {
  const p = parts(epochMs);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}:${p.s}`;
}

/** `YYYYMMDD` in KST. */
export function kstDate(epochMs: number): string {
  const p = parts(epochMs);
  return `${p.y}${p.mo}${p.d}`;
}

/** `HHMMSS` in KST. */
export function kstTime(epochMs: number): string {
  const p = parts(epochMs);
  return `${p.h}${p.mi}${p.s}`;
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
