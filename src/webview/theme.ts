// Chart colours come from the VS Code theme's CSS variables, read when a chart is drawn and again
// whenever the theme changes (VS Code swaps the body class and the variables on <html>).

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  /** --vscode-charts-* in a fixed order; models take them by rank. */
  palette: string[];
  blue: string;
  red: string;
  yellow: string;
  orange: string;
  green: string;
  purple: string;
  font: string;
  highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const fg = cssVar(style, '--vscode-charts-foreground', cssVar(style, '--vscode-foreground', dark ? '#cccccc' : '#333333'));
  const blue = cssVar(style, '--vscode-charts-blue', '#3794ff');
  const red = cssVar(style, '--vscode-charts-red', '#f14c4c');
  const yellow = cssVar(style, '--vscode-charts-yellow', '#cca700');
  const orange = cssVar(style, '--vscode-charts-orange', '#d18616');
  const green = cssVar(style, '--vscode-charts-green', '#89d185');
  const purple = cssVar(style, '--vscode-charts-purple', '#b180d7');
  const size = cssVar(style, '--vscode-font-size', '13px');
  const family = cssVar(style, '--vscode-font-family', 'system-ui, sans-serif');
  return {
    foreground: fg,
    muted: cssVar(style, '--vscode-descriptionForeground', fg),
    grid: cssVar(style, '--vscode-charts-lines', dark ? 'rgba(204,204,204,0.3)' : 'rgba(51,51,51,0.2)'),
    background: cssVar(style, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    palette: [blue, purple, orange, green, yellow, red],
    blue,
    red,
    yellow,
    orange,
    green,
    purple,
    font: `${smaller(size)} ${family}`,
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

function smaller(size: string): string {
  const px = parseFloat(size);
  return Number.isFinite(px) ? `${Math.max(10, px - 1)}px` : '12px';
}

/** A CSS colour with transparency, for area fills (works for #rgb, #rrggbb and rgb()). */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (hex) {
    let s = hex[1];
    if (s.length === 3 || s.length === 4) s = s.split('').map((ch) => ch + ch).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(s.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(c);
  if (rgb) {
    const [r, g, b] = rgb[1].split(/[\s,/]+/).filter(Boolean);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return c;
}

/** Calls `onChange` once per frame after the theme (body class or the variables on <html>) changes. */
export function watchTheme(onChange: () => void): () => void {
  let frame = 0;
  const observer = new MutationObserver(() => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
