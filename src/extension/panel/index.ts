// The ledger panel's host side.
export { LedgerPanel } from './ledgerPanel';
