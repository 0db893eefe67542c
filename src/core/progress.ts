// Phase progress of a refresh, for a front end to show (the CLI's progress line, the extension's
// status): each phase starts, may report progress in its own unit, and ends, in this order:
// discovering (files found), reading (transcript bytes parsed), storing (requests written to the
// ledger), correcting (sessions corrected), saving (the ledger file written; only when saved).
export type Phase = 'discovering' | 'reading' | 'storing' | 'correcting' | 'saving';

export interface PhaseEvent {
  phase: Phase;
  state: 'start' | 'progress' | 'end';
  /** How far, in the phase's unit: files, bytes, requests or sessions (absent for saving). */
  done?: number;
  total?: number;
}

export type PhaseListener = (e: PhaseEvent) => void;
