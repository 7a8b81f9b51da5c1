// How an order's division and venue read in `qts orders` and an order's summary. No runtime
// imports: commands that only print orders stay light.
import type { CliOrder } from '../model.js';

/**
 * The division name (docs/order-types.md) and venue of an order, e.g. `ioc-limit NXT`, `best`,
 * `after-hours-single`; '' for a plain limit or market order on KRX.
 */
export function divisionLabel(
  order: Pick<CliOrder, 'type' | 'priceCondition' | 'executionCondition' | 'session' | 'venue'>,
): string {
  const { type, priceCondition, executionCondition, session } = order;
  let division = '';
  if (session !== undefined) {
    division = { pre: 'pre-market-close', post: 'post-market-close', single: 'after-hours-single' }[
      session
    ];
  } else if (executionCondition !== undefined) {
    const base = priceCondition === 'best' ? 'best' : type === 'market' ? 'market' : 'limit';
    division = `${executionCondition}-${base}`;
  } else if (priceCondition !== undefined) {
    division = priceCondition;
  }
  const venue = order.venue === undefined || order.venue === 'KRX' ? '' : order.venue;
  return [division, venue].filter((part) => part !== '').join(' ');
}
