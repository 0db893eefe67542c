// Types of the bench generator for the tests that build small data sets with it (test/unit/rollups.test.ts).
export const GENERATOR_VERSION: number;
export const MIXES: string[];
export function dataDirName(sizeMb: number, seed: number, mix?: string): string;
export function defaultCacheDir(): string;
export function generate(opts: { out?: string; sizeMb?: number; seed?: number; now?: string; mix?: string }): { out: string; mix: Record<string, unknown> };
export function appendOneTurn(dir: string): { file: string; bytesAppended: number; model: string; messageId: string; requestId: string; usage: Record<string, number> };
