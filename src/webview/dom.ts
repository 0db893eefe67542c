// DOM building with text only: every string lands in textContent or an attribute, never in innerHTML,
// so transcript text (labels, paths, model ids) can never become markup.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  className?: string;
  id?: string;
  /** Attributes (aria-*, role, type, data-*, ...); `false`/`undefined` leave them out, `true` sets them empty. */
  attrs?: Record<string, string | number | boolean | undefined | null>;
  title?: string;
  onClick?: (ev: MouseEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.className) el.className = props.className;
    if (props.id) el.id = props.id;
    if (props.title) el.title = props.title;
    for (const [k, v] of Object.entries(props.attrs ?? {})) {
      if (v === undefined || v === null || v === false) continue;
      el.setAttribute(k, v === true ? '' : String(v));
    }
    if (props.onClick) { const onClick = props.onClick; el.addEventListener('click', (ev) => onClick(ev as MouseEvent)); }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: SVGElement[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

/** A button (never a div with a click handler): keyboard and screen readers get it for free. */
export function button(text: string, onClick: () => void, opts: { className?: string; ariaLabel?: string; title?: string; disabled?: boolean; key?: string; pressed?: boolean } = {}): HTMLButtonElement {
  const b = h('button', {
    className: opts.className,
    title: opts.title,
    attrs: { type: 'button', 'aria-label': opts.ariaLabel, 'data-focus-key': opts.key, 'aria-pressed': opts.pressed === undefined ? undefined : String(opts.pressed) },
    onClick: () => onClick(),
  }, text);
  if (opts.disabled) b.disabled = true;
  return b;
}
