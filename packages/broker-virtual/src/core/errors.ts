/** A misuse of the exchange's scripting API (unknown order, a fill larger than the remainder...). */
export class VirtualExchangeError extends Error {
  /** A stable code: `order-not-found`, `invalid-fill`, `invalid-price`, `closed`, `corrupt-state`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'VirtualExchangeError';
    this.code = code;
  }
}
