// The pool's money helpers are the pricing module's: one definition of dollars and nanodollars.
export { NANOS_PER_USD, formatUsd, parseUsdToNanos, usdToNanos } from '../pricing/money';
