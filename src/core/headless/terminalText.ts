// Terminal output -> plain text: drops escape sequences (CSI colours and cursor moves, OSC such as VS Code's shell
// integration marks `ESC ] 633 ; C BEL`, DCS/APC strings, charset selections) and carriage returns. Streaming: a
// sequence cut between two chunks is held back until its end arrives.

const ESC = 0x1b;
const BEL = 0x07;
/** An unterminated OSC/DCS longer than this is not a real sequence: give up on it and drop what was read. */
const MAX_STRING_SEQUENCE = 64 * 1024;

type State = 'text' | 'esc' | 'escIntermediate' | 'csi' | 'string' | 'stringEsc';

export class EscapeStripper {
  private state: State = 'text';
  private stringLength = 0;

  /** Plain text of `chunk`, given everything fed before it. */
  push(chunk: string): string {
    let out = '';
    let runStart = -1;
    const flush = (end: number): void => {
      if (runStart >= 0) out += chunk.slice(runStart, end);
      runStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case 'text':
          if (c === ESC) {
            flush(i);
            this.state = 'esc';
          } else if ((c < 0x20 && c !== 0x0a && c !== 0x09) || c === 0x7f) {
            flush(i); // \r, BEL, backspace and other controls carry no text
          } else if (runStart < 0) runStart = i;
          break;
        case 'esc':
          if (c === 0x5b /* [ */) this.state = 'csi';
          else if (c === 0x5d /* ] */ || c === 0x50 /* P */ || c === 0x58 /* X */ || c === 0x5e /* ^ */ || c === 0x5f /* _ */) {
            this.state = 'string';
            this.stringLength = 0;
          } else if (c >= 0x20 && c <= 0x2f) this.state = 'escIntermediate';
          else this.state = 'text';
          break;
        case 'escIntermediate':
          if (!(c >= 0x20 && c <= 0x2f)) this.state = 'text';
          break;
        case 'csi':
          if (c >= 0x40 && c <= 0x7e) this.state = 'text';
          else if (c === ESC) this.state = 'esc';
          break;
        case 'string':
          if (c === BEL) this.state = 'text';
          else if (c === ESC) this.state = 'stringEsc';
          else if (++this.stringLength > MAX_STRING_SEQUENCE) this.state = 'text';
          break;
        case 'stringEsc':
          this.state = c === 0x5c /* \ */ ? 'text' : 'string';
          break;
      }
    }
    flush(chunk.length);
    return out;
  }
}

/** The plain text of a complete piece of terminal output. */
export function stripTerminalEscapes(text: string): string {
  return new EscapeStripper().push(text);
}
