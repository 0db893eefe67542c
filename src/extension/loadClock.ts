// Imported first by main.ts, so the bundle evaluates it before the rest of the extension: when loading began.
export const bundleLoadStarted: number = performance.now();
