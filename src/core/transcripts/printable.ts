// Transcript-derived text (project folders, model ids, session names, paths) is written by whatever ran in a
// session: before it reaches a terminal table or a VS Code message it loses escape sequences and control
// characters, so it can neither repaint the user's terminal nor reorder what is shown around it.
import { EscapeStripper } from '../headless/terminalText';

/** Controls left after the escape stripper: C0 (tab and newline included: one line), DEL, C1, and bidi overrides. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** `text` as one line of plain printable text. */
export function printable(text: string): string {
  return new EscapeStripper().push(text).replace(CONTROLS, ' ');
}
