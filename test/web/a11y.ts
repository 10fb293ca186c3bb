// Functions here run inside the page (page.evaluate), so they need the DOM's types.
/// <reference lib="dom" />
/**
 * Accessibility checks run inside the page: WCAG contrast of the colour
 * pairs the client uses, measured from computed styles (so both the light
 * and the dark scheme are checked as the browser renders them).
 */
import type { Page } from 'playwright-core';

export interface ContrastResult { what: string; ratio: number }

/** Contrast ratio of each selector's text against the first opaque background behind it. */
export function contrastOf(page: Page, selectors: Record<string, string>): Promise<ContrastResult[]> {
  return page.evaluate((sel) => {
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (m === null || m[1] === undefined) return [0, 0, 0, 0];
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]): number => {
      const f = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r ?? 0) + 0.7152 * f(g ?? 0) + 0.0722 * f(b ?? 0);
    };
    const background = (el: Element | null): [number, number, number, number] => {
      for (let e = el; e !== null; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return parse(getComputedStyle(document.body).backgroundColor);
    };
    return Object.entries(sel).map(([what, s]) => {
      const el = document.querySelector(s);
      if (el === null) return { what: `${what} (missing: ${s})`, ratio: 0 };
      const fg = lum(parse(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      return { what, ratio: Math.round(ratio * 100) / 100 };
    });
  }, selectors);
}

/** The id, or a short description, of the focused element. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (e === null || e === document.body) return 'body';
    if (e.id !== '') return `#${e.id}`;
    const cls = e.getAttribute('class');
    return `${e.tagName.toLowerCase()}${cls ? `.${cls.split(' ')[0]}` : ''}`;
  });
}
