// KRX market hours, for virtual mode. The virtual exchange fills whenever the price crosses,
// at any hour; a real broker takes regular-session orders only on weekdays 09:00-15:30 KST.
// qts says so when an order is placed outside them, and QTS_MARKET_HOURS=enforce refuses it.
// KRX holidays are not known here: on a holiday the session counts as open.
import { seoulDate, seoulTime } from '@qts/order-contract';
import type { Config } from './config.js';
import { usageFailure } from './failure.js';
import type { Output } from './output.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The regular session, in minutes after midnight (Seoul). */
const OPEN_MINUTE = 9 * 60;
const CLOSE_MINUTE = 15 * 60 + 30;

/** Whether the KRX regular session is open at `time`, and the Seoul time in words. */
export function krxSession(time: number): { open: boolean; when: string } {
  const date = seoulDate(new Date(time));
  const clock = seoulTime(new Date(time));
  const day = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T00:00:00Z`,
  ).getUTCDay();
  const minute = Number(clock.slice(0, 2)) * 60 + Number(clock.slice(2, 4));
  const open = day >= 1 && day <= 5 && minute >= OPEN_MINUTE && minute < CLOSE_MINUTE;
  const when = `${DAYS[day]} ${clock.slice(0, 2)}:${clock.slice(2, 4)} KST`;
  return { open, when };
}

/**
 * Virtual mode outside market hours: a note on stderr, or (QTS_MARKET_HOURS=enforce) exit 2
 * with nothing sent. Other modes: nothing (the broker decides).
 */
export function checkMarketHours(config: Config, out: Output, now: number = Date.now()): void {
  if (config.mode !== 'virtual') return;
  const session = krxSession(now);
  if (session.open) return;
  if (config.marketHours === 'enforce') {
    throw usageFailure(
      `The KRX is closed now (${session.when}) and QTS_MARKET_HOURS=enforce: nothing was sent.`,
      'Place it on a weekday between 09:00 and 15:30 KST, or unset QTS_MARKET_HOURS to let virtual mode fill at any hour.',
      'MARKET_CLOSED',
    );
  }
  out.note(
    `Note: the KRX is closed now (${session.when}). Virtual mode ignores market hours: it fills whenever the price crosses, where a real broker waits for the market to open. Set QTS_MARKET_HOURS=enforce to refuse orders outside weekdays 09:00-15:30 KST.`,
  );
}
