/** A problem with what the user asked for: printed without a stack trace, with its own exit code. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
