// One captured run, whatever captured it: the command line (when seen), the output as it streams, the exit status.
// Turns into run facts when it ends: one per result seen (a loop in one command line runs claude several times), or
// one without a result (text output, a stream cut short, no output at all).
import type { Pricer } from '../pricing/pricer';
import { newFactId } from '../state/journal';
import { promptLabel, type PrintInvocation } from './commandLine';
import { RunOutputParser, type RunOutput, type RunResult } from './output';
import { explainDifference, priceRun, type RunPriceInput } from './price';
import { RUN_FACT, RUN_FACT_VERSION, storedResult, type RunFact, type RunFlags, type RunVia, type RunWhere } from './runFact';

export interface RunCaptureOptions {
  via: RunVia;
  where: RunWhere;
  cwd: string;
  /** Epoch ms the command started. */
  startedAt: number;
  /** The print-mode invocation, when the command line was seen. */
  invocation?: PrintInvocation;
  /** The command summary to use when no invocation was recognised (e.g. `exec` of a script that calls claude). */
  command?: string | null;
  /** Settings `allowLabels`: the first 80 characters of the prompt may be kept. */
  allowLabels: boolean;
  pricer: Pricer;
  clock?: () => number;
}

export interface RunEnd {
  exitCode: number | null;
  /** Epoch ms; default: now. */
  endedAt?: number;
  /** The session, when found another way (a transcript written during the run). */
  sessionLink?: { sessionId: string; reason: string };
}

/** A full model id (`claude-sonnet-4-6`, dated or provider-wrapped), not an alias such as `sonnet` or `opus`. */
function fullModelId(model: string | undefined): string | undefined {
  return model && /claude-/i.test(model) ? model : undefined;
}

export function flagsOf(inv: PrintInvocation | undefined): RunFlags {
  if (!inv) return {};
  const f = inv.flags;
  const out: RunFlags = { outputFormat: f.outputFormat, promptFromStdin: inv.promptFromStdin };
  if (f.model !== undefined) out.model = f.model;
  if (f.resume !== undefined) out.resume = f.resume;
  if (f.continue) out.continue = true;
  if (f.sessionId !== undefined) out.sessionId = f.sessionId;
  if (f.forkSession) out.forkSession = true;
  if (f.maxTurns !== undefined) out.maxTurns = f.maxTurns;
  if (f.maxBudgetUsd !== undefined) out.maxBudgetUsd = f.maxBudgetUsd;
  if (f.noSessionPersistence) out.noSessionPersistence = true;
  return out;
}

/** The session a run writes, from its flags alone: `--session-id`, or `--resume <id>` without `--fork-session`. */
export function sessionFromFlags(inv: PrintInvocation | undefined): string | undefined {
  const f = inv?.flags;
  if (!f) return undefined;
  if (f.sessionId) return f.sessionId;
  if (typeof f.resume === 'string' && !f.forkSession) return f.resume;
  return undefined;
}

/** The fields every fact of one capture shares. */
type FactBase = Pick<RunFact, 'kind' | 'v' | 'via' | 'where' | 'command' | 'label' | 'cwd' | 'flags' | 'noSessionPersistence'>;

export class RunCapture {
  private readonly parser: RunOutputParser;
  private readonly clock: () => number;

  private readonly opts: RunCaptureOptions;

  constructor(opts: RunCaptureOptions) {
    this.opts = { ...opts };
    this.clock = opts.clock ?? Date.now;
    this.parser = new RunOutputParser({ clock: this.clock });
  }

  /** The command line as known at the end (a terminal may report it more accurately then). */
  setInvocation(invocation: PrintInvocation | undefined): void {
    this.opts.invocation = invocation;
  }

  push(chunk: string | Uint8Array): void {
    this.parser.push(chunk);
  }

  /** What the output showed so far (a session id from the stream's init, a result). */
  get output(): RunOutput {
    return this.parser.summary();
  }

  /** Ends the output and builds the facts to append (without id and time: appendFact adds them). */
  finish(end: RunEnd): { facts: RunFact[]; output: RunOutput } {
    const output = this.parser.end();
    const endedAt = end.endedAt ?? this.clock();
    const { opts } = this;
    const inv = opts.invocation;
    const base: FactBase = {
      kind: RUN_FACT,
      v: RUN_FACT_VERSION,
      via: opts.via,
      where: opts.where,
      command: inv ? inv.summary : (opts.command ?? null),
      ...(opts.allowLabels && inv && promptLabel(inv) ? { label: promptLabel(inv) } : {}),
      cwd: opts.cwd,
      flags: flagsOf(inv),
      noSessionPersistence: inv?.flags.noSessionPersistence === true,
    };
    const flagModel = fullModelId(inv?.flags.model);
    if (!output.results.length) {
      const fromFlags = sessionFromFlags(inv);
      const streamSession = output.lastSessionId || undefined;
      const sessionId = streamSession ?? fromFlags ?? end.sessionLink?.sessionId ?? null;
      const init = output.inits.find((i) => i.sessionId === sessionId) ?? output.inits[output.inits.length - 1];
      const messages = sessionId ? output.messages.get(sessionId) : undefined;
      const model = init?.model || messages?.[0]?.model || flagModel || null;
      const price = messages && messages.length ? priceRun({ messages, at: endedAt }, opts.pricer) : null;
      const fact: RunFact = {
        ...base,
        runId: newFactId(),
        startedAt: new Date(opts.startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        exitCode: end.exitCode,
        sessionId,
        sessionFrom: streamSession ? 'stream' : fromFlags ? 'flag' : end.sessionLink ? 'transcript' : null,
        claudeCodeVersion: init?.claudeCodeVersion || null,
        model,
        result: null,
        truncated: output.truncated,
        totalCostUsd: null,
        listCostNanos: price ? price.costNanos : null,
        listCostPriced: price ? price.priced : false,
        listCostFrom: price ? price.from : null,
        differenceNanos: null,
        differenceKind: null,
        differenceReason: null,
      };
      return { facts: [fact], output };
    }
    const facts = output.results.map((result, i, all) => {
      const last = i === all.length - 1;
      // One result: the capture's start, or earlier when the output was replayed (a pipe fed from a file).
      const own = result.seenAt - (result.durationMs ?? 0);
      const started = all.length === 1 ? Math.min(opts.startedAt, own) : Math.max(opts.startedAt, own);
      const ended = all.length === 1 ? endedAt : result.seenAt;
      return this.resultFact(base, result, output, started, ended, last ? end.exitCode : null, flagModel);
    });
    return { facts, output };
  }

  private resultFact(
    base: FactBase,
    result: RunResult,
    output: RunOutput,
    startedAt: number,
    endedAt: number,
    exitCode: number | null,
    flagModel: string | undefined,
  ): RunFact {
    const init = output.inits.find((x) => x.sessionId === result.sessionId);
    const largest = [...(result.modelUsage ?? [])].sort((a, b) => b.output + b.input + b.cacheRead + b.cacheWrite - (a.output + a.input + a.cacheRead + a.cacheWrite))[0];
    const model = init?.model || largest?.model || flagModel || null;
    const priceInput: RunPriceInput = { result, model: model ?? undefined, messages: output.messages.get(result.sessionId), at: endedAt };
    const price = priceRun(priceInput, this.opts.pricer);
    const difference =
      price && result.totalCostUsd !== null
        ? explainDifference({ reportedUsd: result.totalCostUsd, ours: price, priceInput, claudeCodeVersion: init?.claudeCodeVersion || undefined, pricer: this.opts.pricer })
        : null;
    return {
      ...base,
      runId: result.uuid || newFactId(),
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      exitCode,
      sessionId: result.sessionId || null,
      sessionFrom: result.sessionId ? 'result' : null,
      claudeCodeVersion: init?.claudeCodeVersion || null,
      model,
      result: storedResult(result),
      truncated: false,
      totalCostUsd: result.totalCostUsd,
      listCostNanos: price ? price.costNanos : null,
      listCostPriced: price ? price.priced : false,
      listCostFrom: price ? price.from : null,
      differenceNanos: difference ? difference.differenceNanos : null,
      differenceKind: difference ? difference.kind : null,
      differenceReason: difference ? difference.reason : null,
    };
  }
}
