// The checks of tests/browser/a11y.py that axe-core does not make, run in the page.
// Loaded by a11y.py into window.__veilleA11y; each returns a list of problems.
window.__veilleA11y = (() => {
  // Colours: parse rgb(), WCAG relative luminance and contrast, the flat background behind.
const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const luminance = ({r, g, b}) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const ratio = (x, y) => { const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
const backgroundOf = (el) => { for (let node = el; node; node = node.parentElement) { const c = parse(getComputedStyle(node).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };

// Reading order: lang, title, one <main>, one h1 inside it and first, no skipped heading level,
// a visible label for every field, aria-describedby pointing at something, unique ids,
// a skip link to <main> as the first focusable element.
const structure = (expectedLang) => {
  const problems = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== 'none' && style.visibility !== 'hidden' && (box.width > 0 || box.height > 0);
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? `[name=${el.name}]` : '');

  const lang = document.documentElement.getAttribute('lang') || '';
  if (lang !== expectedLang) problems.push(`html lang="${lang}", expected "${expectedLang}"`);
  for (const el of document.querySelectorAll('[lang]')) {
    if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(el.getAttribute('lang'))) problems.push(`bad lang on ${name(el)}`);
  }
  if (!document.title.trim()) problems.push('no title');

  const mains = document.querySelectorAll('main');
  if (mains.length !== 1) problems.push(`${mains.length} <main>`);
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(shown);
  const h1s = headings.filter((h) => h.tagName === 'H1');
  if (h1s.length !== 1) problems.push(`${h1s.length} visible h1`);
  if (h1s.length && mains.length && !mains[0].contains(h1s[0])) problems.push('the h1 is outside <main>');
  if (headings.length && headings[0].tagName !== 'H1') problems.push(`the first heading is ${headings[0].tagName}`);
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) problems.push(`heading level skipped (h${previous} to h${level}): "${h.textContent.trim().slice(0, 50)}"`);
    if (!h.textContent.trim()) problems.push(`empty ${h.tagName}`);
    previous = level;
  }

  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset'].includes(el.type) || !shown(el)) continue;
    const labels = [...(el.labels || [])].filter((l) => l.textContent.trim());
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id));
    if (!labels.length && !by.some((x) => x && x.textContent.trim())) problems.push(`no visible label: ${name(el)}`);
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/).filter(Boolean)) {
      if (!document.getElementById(id)) problems.push(`${name(el)} aria-describedby="${id}": no such element`);
    }
  }
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push(`duplicate id ${el.id}`);
    seen.add(el.id);
  }

  const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')];
  const first = focusable[0];
  const mainId = mains.length ? mains[0].id : '';
  if (!first || first.tagName !== 'A' || !mainId || first.getAttribute('href') !== '#' + mainId) {
    problems.push('the first focusable element is not a skip link to <main>');
  }
  return problems;
};

// Tap targets smaller than `minimum` CSS px. A radio or checkbox counts with its label (a tap
// on the label ticks it). With `inlineOk`, a link inside a sentence is exempt (WCAG 2.5.8).
const targets = ([minimum, inlineOk]) => {
  const problems = [];
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && ['inline', 'inline-block', 'inline-flex', 'contents'].includes(getComputedStyle(node).display)) node = node.parentElement;
    return node;
  };
  const inSentence = (el) => {
    const block = blockOf(el);
    if (!block) return false;
    const copy = block.cloneNode(true);
    for (const control of copy.querySelectorAll('a, button, input, select, textarea, label')) control.remove();
    return /[\p{L}\p{N}]{2,}/u.test(copy.textContent);
  };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('.leaflet-container')) continue;  // the map's own controls are measured below
    let target = el;
    if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) target = el.labels[0];
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // off screen on purpose (the skip link at rest)
    if (inlineOk && el.tagName === 'A' && inSentence(el)) continue;
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      const text = (el.textContent || el.value || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 30);
      problems.push(`${el.tagName.toLowerCase()} "${text}" is ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  for (const el of document.querySelectorAll('.leaflet-control a')) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.width < minimum - 0.5 || box.height < minimum - 0.5)) problems.push(`map control ${el.className} is ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  return problems;
};

// Reflow: nothing wider than the viewport, except inside a scrolling box (a data table's own
// scroll is allowed by WCAG 1.4.10).
const reflow = () => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.scrollingElement.scrollWidth > width) problems.push(`the page is ${document.scrollingElement.scrollWidth} px wide in ${width}`);
  const scrolls = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(node).overflowX) && node !== document.body && node !== document.documentElement) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if ((box.right > width + 1 || box.left < -1) && box.width > 0 && getComputedStyle(el).position !== 'absolute' && !scrolls(el)) {
      problems.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} spans ${Math.round(box.left)}..${Math.round(box.right)}`);
      if (problems.length > 6) break;
    }
  }
  return problems;
};

// Puts the keyboard's starting point at the top of the page, as when it has just opened
// (a blur alone leaves it where the focus was, e.g. on an error summary).
const fromTheTop = () => {
  window.scrollTo(0, 0);
  const mark = document.createElement('span');
  mark.tabIndex = -1;
  document.body.prepend(mark);
  mark.focus();
  mark.remove();
};

// Visible focus: the element that has the keyboard focus draws an outline of at least 2 px
// that stands out 3:1 from what is behind it. null when nothing has the focus.
const focus = () => {

  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.name || '').trim().slice(0, 25) + '"';
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) {
    return `${label}: no focus outline (${style.outlineStyle} ${style.outlineWidth})`;
  }
  if (style.outlineStyle === 'auto') return '';
  const colour = parse(style.outlineColor);
  const behind = backgroundOf(el.parentElement);  // an outline is drawn outside the border
  const contrast = ratio(colour, behind);
  return contrast < 3 ? `${label}: focus outline contrast ${contrast.toFixed(2)}` : '';
};

// Contrast of one element's text (or SVG fill) with the flat background behind it;
// '' when it passes (4.5:1, 3:1 for large text).
const decideContrast = (selector) => {

  const el = document.querySelector(selector);
  if (!el) return `${selector}: not found`;
  const style = getComputedStyle(el);
  const svgText = el instanceof SVGElement;
  const colour = parse(svgText ? style.fill : style.color);
  if (!colour) return `${selector}: no colour`;
  const behind = backgroundOf(svgText ? el.ownerSVGElement || el : el);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  const contrast = ratio(colour, behind);
  return contrast < (large ? 3 : 4.5) ? `${selector}: ${contrast.toFixed(2)}` : '';
};

// WCAG 1.4.11: the border of a text field or list stands out 3:1 from the background.
const borders = () => {

  const problems = [];
  for (const el of document.querySelectorAll('input[type=text], input[type=password], input:not([type]), input[type=file], select, textarea')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || !el.getBoundingClientRect().width) continue;
    const border = parse(style.borderBottomColor);
    if (parseFloat(style.borderBottomWidth) < 1 || !border) { problems.push(`${el.tagName.toLowerCase()}#${el.id}: no border`); continue; }
    const contrast = ratio(border, backgroundOf(el.parentElement));
    if (contrast < 3) problems.push(`${el.tagName.toLowerCase()}#${el.id}: border contrast ${contrast.toFixed(2)}`);
  }
  return problems;
};

return { structure, targets, reflow, fromTheTop, focus, decideContrast, borders };
})();
