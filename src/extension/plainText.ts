// VS Code turns `[text](target)` in a notification, a warning or a quick pick into a link, `command:` targets
// included, and `$(name)` in a label into an icon: transcript-derived text must not be able to do either.
import { printable } from '../core/transcripts/printable';

/** U+2060 WORD JOINER: invisible, and between `]` and `(` (or `$` and `(`) it matches no link or icon syntax. */
const JOINER = '\u2060';

/** Transcript-derived (or file-derived) text for a VS Code message, quick pick or tree item: printable, never a link. */
export function plainText(text: string): string {
  return printable(text).replace(/\](?=\()/g, `]${JOINER}`).replace(/\$(?=\()/g, `$${JOINER}`);
}
