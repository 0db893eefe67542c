// The CLI's progress line on a terminal: one line on stderr, rewritten in place, for every phase of a run
// (opening the ledger, finding, reading, storing, correcting, saving), shown from the start and finished.
import type { PhaseEvent } from '../core/progress';

/** How often a phase's own progress may rewrite the line; starts and ends always do. */
const REDRAW_MS = 100;

export class ProgressLine {
  private lastDraw = 0;
  private shown = false;

  constructor(private readonly write: (text: string) => void, private readonly clock: () => number = Date.now) {}

  /** Before the ledger opens (a large one is checked page by page, which takes a moment). */
  opening(): void {
    this.draw('Opening the ledger…');
  }

  readonly onPhase = (e: PhaseEvent): void => {
    if (e.state === 'progress' && this.clock() - this.lastDraw < REDRAW_MS) return;
    this.draw(phaseText(e));
  };

  /** Clears the line, so the report starts on a clean one. */
  done(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }

  private draw(text: string): void {
    this.lastDraw = this.clock();
    this.shown = true;
    this.write(`\r${text}\x1b[K`);
  }
}

export function phaseText(e: PhaseEvent): string {
  const { done = 0, total = 0 } = e;
  switch (e.phase) {
    case 'discovering':
      return e.state === 'end' ? `Found ${count(total)} transcript file(s)` : 'Finding transcripts…';
    case 'reading': {
      // The end says 100%, whatever the byte count the parse saw last.
      const pct = e.state === 'end' || !total ? 100 : Math.min(99, Math.floor((done / total) * 100));
      return `Reading transcripts: ${pct}% (${mb(e.state === 'end' ? total : done)} of ${mb(total)} MB)`;
    }
    case 'storing':
      return e.state === 'end' ? `Stored ${count(total)} request(s)` : `Storing ${count(total)} request(s)…`;
    case 'correcting':
      return e.state === 'end' ? `Corrected ${count(total)} session(s)` : `Correcting ${count(total)} session(s) for undercounted output…`;
    case 'saving':
      return e.state === 'end' ? 'Saved the ledger' : 'Saving the ledger…';
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
