// Visible text and metadata from an HTML string, in one linear pass.
//
// htmlparser2's Parser keeps its open-element stack with Array#unshift/indexOf, which is quadratic on deeply
// nested or unclosed markup. So we drive its Tokenizer (a linear state machine that also decodes entities and
// knows raw-text elements like <script>) and keep our own stack with O(1) amortised operations:
//   - push/pop at the end of an array,
//   - a per-name count of open elements, so a stray end tag is rejected without scanning,
//   - counters for "inside a hidden subtree" and "inside SVG/MathML", updated on push/pop.
// Every element is pushed and popped at most once, so the whole pass is linear in the input.

import { Tokenizer } from 'htmlparser2';
import type { TokenizerCallbacks } from 'htmlparser2';
import { TextBuilder, collapseWhitespace, truncateChars } from './text.ts';

export interface HtmlExtract {
  /** Text of the first <title> (outside SVG), collapsed; '' when none. */
  title: string;
  /** Text of the first visible <h1>, collapsed (title fallback). */
  h1: string;
  /** <meta name=description> content, collapsed. */
  metaDescription: string;
  /** og:description content, collapsed. */
  ogDescription: string;
  /** og:title content, collapsed. */
  ogTitle: string;
  /** <meta name=robots> content values. */
  robots: string[];
  /** <html lang>, or xml:lang when lang is absent; raw. */
  htmlLang: string | null;
  /** <meta http-equiv=content-language> content; raw. */
  metaContentLanguage: string | null;
  /** Visible body text, collapsed, capped. */
  text: string;
  textTruncated: boolean;
}

export interface HtmlExtractOptions {
  /** Cap on `text` in UTF-16 code units. */
  maxTextChars: number;
  /** XHTML: honour self-closing syntax ('<div/>', '<script/>') like an XML parser would. */
  xhtml?: boolean;
}

/** Caps on metadata strings, so a hostile 5 MB attribute cannot become a 5 MB title. */
export const MAX_TITLE_CHARS = 2048;
export const MAX_DESCRIPTION_CHARS = 4096;
/** Attribute values longer than this are not collected (no interesting attribute is that long). */
const MAX_ATTR_CHARS = 16 * 1024;

/** Elements whose content is never rendered as text. */
const HIDDEN_ELEMENTS = new Set([
  'head', 'title', 'script', 'style', 'noscript', 'template', 'svg', 'iframe', 'noembed', 'noframes',
  // <object>/<canvas> content is fallback a browser shows only when the plugin or canvas is unavailable.
  'object', 'canvas', 'datalist',
]);

/** Elements at whose edges a browser breaks words (block boxes, table cells, line breaks, form controls). */
const BOUNDARY_ELEMENTS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'button', 'caption', 'center', 'col', 'colgroup',
  'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form',
  'frame', 'frameset', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html', 'img', 'input',
  'legend', 'li', 'listing', 'main', 'menu', 'nav', 'ol', 'optgroup', 'option', 'p', 'plaintext', 'pre',
  'search', 'section', 'select', 'summary', 'table', 'tbody', 'td', 'textarea', 'tfoot', 'th', 'thead', 'tr',
  'ul', 'video', 'audio', 'xmp', 'math',
]);

/** Void elements never have content and are never pushed. */
const VOID_ELEMENTS = new Set([
  'area', 'base', 'basefont', 'bgsound', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'image', 'img', 'input',
  'isindex', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

/** Elements allowed inside <head>; any other start tag implicitly closes it (HTML "in head" insertion mode). */
const HEAD_CONTENT = new Set(['title', 'meta', 'link', 'style', 'script', 'noscript', 'base', 'template', 'basefont', 'bgsound']);

/** Start tag -> open elements it implicitly closes when they are the current node (subset of the HTML rules). */
const CLOSES_P = new Set(['p']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p']);
const IMPLIED_CLOSE = new Map<string, Set<string>>([
  ['li', new Set(['li', 'p'])],
  ['dt', new Set(['dt', 'dd', 'p'])],
  ['dd', new Set(['dt', 'dd', 'p'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['option', 'optgroup'])],
  ['tr', new Set(['tr', 'td', 'th'])],
  ['td', new Set(['td', 'th'])],
  ['th', new Set(['td', 'th'])],
  ['thead', new Set(['thead', 'tbody', 'tr', 'td', 'th'])],
  ['tbody', new Set(['thead', 'tbody', 'tr', 'td', 'th'])],
  ['tfoot', new Set(['thead', 'tbody', 'tr', 'td', 'th'])],
  ['body', new Set(['head'])],
  ['h1', HEADINGS], ['h2', HEADINGS], ['h3', HEADINGS], ['h4', HEADINGS], ['h5', HEADINGS], ['h6', HEADINGS],
  ...['address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div', 'dl', 'fieldset',
    'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr', 'main', 'menu', 'nav', 'ol', 'p', 'pre',
    'section', 'table', 'ul'].map((t) => [t, CLOSES_P] as [string, Set<string>]),
]);

/** Attributes we read; everything else is skipped without building strings. */
const WANTED_ATTRS = new Set(['hidden', 'aria-hidden', 'lang', 'xml:lang', 'name', 'property', 'content', 'http-equiv']);

// Flags on stack entries.
const F_HIDDEN = 1; // this element hides its subtree
const F_FOREIGN = 2; // svg or math: foreign content (tokenizer must not treat <title>/<style> inside as raw text)
const F_TITLE = 4; // the document <title> being captured
const F_H1 = 8; // the first visible <h1> being captured

interface Open {
  name: string;
  flags: number;
}

/** Extracts text and metadata. Linear time and memory in `html.length`; never throws on malformed markup. */
export function extractHtml(html: string, options: HtmlExtractOptions): HtmlExtract {
  const xhtml = options.xhtml === true;
  const text = new TextBuilder(options.maxTextChars);
  const stack: Open[] = [];
  const openCount = new Map<string, number>();
  let hiddenDepth = 0;
  let foreignDepth = 0;

  let titleParts: string[] | null = null; // non-null while capturing the title
  let titleLen = 0;
  let titleDone = false;
  let title = '';
  let h1Parts: string[] | null = null;
  let h1Len = 0;
  let h1Done = false;
  let h1 = '';

  let metaDescription = '';
  let ogDescription = '';
  let ogTitle = '';
  const robots: string[] = [];
  let htmlLang: string | null = null;
  let metaContentLanguage: string | null = null;

  // The start tag being read.
  let tagName = '';
  let attrs = new Map<string, string>();
  let attrName: string | null = null; // null: current attribute not wanted
  let attrValue = '';
  let attrTooLong = false;

  const tokenizer = new Tokenizer({ decodeEntities: true, xmlMode: false, recognizeSelfClosing: xhtml }, callbacks());

  function slice(start: number, end: number): string {
    return html.slice(start, end);
  }

  function push(name: string, flags: number): void {
    stack.push({ name, flags });
    openCount.set(name, (openCount.get(name) ?? 0) + 1);
    if (flags & F_HIDDEN) hiddenDepth++;
    if (flags & F_FOREIGN) foreignDepth++;
    if (BOUNDARY_ELEMENTS.has(name)) text.boundary();
  }

  function pop(): void {
    const el = stack.pop();
    if (el === undefined) return;
    openCount.set(el.name, (openCount.get(el.name) ?? 1) - 1);
    if (el.flags & F_HIDDEN) hiddenDepth--;
    if (el.flags & F_FOREIGN) foreignDepth--;
    if (el.flags & F_TITLE && titleParts !== null) {
      title = collapseWhitespace(titleParts.join(''));
      titleDone = title !== '';
      titleParts = null;
    }
    if (el.flags & F_H1 && h1Parts !== null) {
      h1 = collapseWhitespace(h1Parts.join(''));
      h1Done = h1 !== '';
      h1Parts = null;
    }
    if (BOUNDARY_ELEMENTS.has(el.name)) text.boundary();
  }

  function top(): string | undefined {
    return stack.length === 0 ? undefined : stack[stack.length - 1].name;
  }

  /** Pops up to and including the innermost open `name`. */
  function popUntil(name: string): void {
    while (stack.length > 0) {
      const last = stack[stack.length - 1].name;
      pop();
      if (last === name) return;
    }
  }

  function handleMeta(a: Map<string, string>): void {
    const content = a.get('content');
    if (content === undefined) return;
    const name = (a.get('name') ?? '').trim().toLowerCase();
    const property = (a.get('property') ?? '').trim().toLowerCase();
    const equiv = (a.get('http-equiv') ?? '').trim().toLowerCase();
    if (name === 'description' && metaDescription === '') {
      metaDescription = truncateChars(collapseWhitespace(content), MAX_DESCRIPTION_CHARS);
    } else if ((property === 'og:description' || name === 'og:description') && ogDescription === '') {
      ogDescription = truncateChars(collapseWhitespace(content), MAX_DESCRIPTION_CHARS);
    } else if ((property === 'og:title' || name === 'og:title') && ogTitle === '') {
      ogTitle = truncateChars(collapseWhitespace(content), MAX_TITLE_CHARS);
    } else if (name === 'robots') {
      robots.push(content);
    } else if (equiv === 'content-language' && metaContentLanguage === null) {
      metaContentLanguage = content;
    }
  }

  function isHiddenByAttributes(a: Map<string, string>): boolean {
    const hidden = a.get('hidden');
    // hidden="until-found" content is found by find-in-page, so a reader can reach it: keep it.
    if (hidden !== undefined && hidden.trim().toLowerCase() !== 'until-found') return true;
    const aria = a.get('aria-hidden');
    return aria !== undefined && aria.trim().toLowerCase() === 'true';
  }

  /** A start tag is complete: apply implied end tags, then open the element. */
  function openElement(name: string, a: Map<string, string>, selfClosing: boolean): void {
    if (name === '') return;
    // Implied end tags, only ever looking at the current node (amortised O(1)).
    const closes = IMPLIED_CLOSE.get(name);
    if (closes !== undefined) {
      while (stack.length > 0 && closes.has(stack[stack.length - 1].name)) pop();
    }
    if (top() === 'head' && !HEAD_CONTENT.has(name)) pop();

    if (name === 'meta') handleMeta(a);
    if (name === 'html' && htmlLang === null) {
      const lang = a.get('lang') ?? a.get('xml:lang');
      if (lang !== undefined && lang.trim() !== '') htmlLang = lang;
    }

    if (VOID_ELEMENTS.has(name)) {
      if (BOUNDARY_ELEMENTS.has(name)) text.boundary();
      return;
    }
    let flags = 0;
    if (HIDDEN_ELEMENTS.has(name) || isHiddenByAttributes(a)) flags |= F_HIDDEN;
    if (name === 'svg' || name === 'math') flags |= F_FOREIGN;
    if (name === 'title' && foreignDepth === 0 && !titleDone && titleParts === null) {
      flags |= F_TITLE;
      titleParts = [];
      titleLen = 0;
    }
    if (name === 'h1' && !h1Done && h1Parts === null && hiddenDepth === 0 && !(flags & F_HIDDEN)) {
      flags |= F_H1;
      h1Parts = [];
      h1Len = 0;
    }
    push(name, flags);
    // Self-closing syntax closes the element only in foreign content and XHTML; in HTML '<div/>' stays open.
    if (selfClosing && (xhtml || foreignDepth > 0)) popUntil(name);
  }

  function closeElement(name: string): void {
    if ((openCount.get(name) ?? 0) > 0) {
      popUntil(name);
    } else if (name === 'br' || name === 'p') {
      // '</br>' acts as <br>, a stray '</p>' as an empty paragraph: both break words.
      text.boundary();
    }
  }

  function onText(s: string): void {
    if (titleParts !== null && titleLen < MAX_TITLE_CHARS * 4) {
      titleParts.push(s);
      titleLen += s.length;
    }
    // Non-space text directly inside <head> ends the head, as in a browser.
    if (top() === 'head' && /\S/.test(s)) pop();
    if (hiddenDepth > 0) return;
    text.append(s);
    if (h1Parts !== null && h1Len < MAX_TITLE_CHARS * 4) {
      h1Parts.push(s);
      h1Len += s.length;
    }
    // Once text overflowed the cap and the title is known, the rest of the document cannot change the result.
    if (text.truncated && titleParts === null) tokenizer.pause();
  }

  function callbacks(): TokenizerCallbacks {
    return {
      ontext(start, end) {
        onText(slice(start, end));
      },
      ontextentity(cp) {
        onText(String.fromCodePoint(cp));
      },
      onopentagname(start, end) {
        tagName = slice(start, end).toLowerCase();
        attrs = new Map();
        attrName = null;
      },
      onattribname(start, end) {
        // Long names are never wanted; skip building the string.
        const n = end - start <= 16 ? slice(start, end).toLowerCase() : '';
        attrName = WANTED_ATTRS.has(n) ? n : null;
        attrValue = '';
        attrTooLong = false;
      },
      onattribdata(start, end) {
        if (attrName === null || attrTooLong) return;
        if (attrValue.length + (end - start) > MAX_ATTR_CHARS) {
          attrTooLong = true;
          attrValue = '';
          return;
        }
        attrValue += slice(start, end);
      },
      onattribentity(cp) {
        if (attrName === null || attrTooLong) return;
        attrValue += String.fromCodePoint(cp);
      },
      onattribend() {
        if (attrName !== null && !attrs.has(attrName)) {
          // An over-long value is recorded as present but empty: 'hidden' still hides, meta content is dropped.
          attrs.set(attrName, attrTooLong ? '' : attrValue);
        }
        attrName = null;
        attrValue = '';
      },
      onopentagend() {
        openElement(tagName, attrs, false);
        tagName = '';
      },
      onselfclosingtag() {
        openElement(tagName, attrs, true);
        tagName = '';
      },
      onclosetag(start, end) {
        closeElement(slice(start, end).toLowerCase());
      },
      oncomment() {},
      oncdata() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
      isInForeignContext() {
        return foreignDepth > 0;
      },
    };
  }

  tokenizer.write(html);
  tokenizer.end();

  // Unclosed title/h1 at end of input: keep what was captured.
  if (titleParts !== null) title = collapseWhitespace((titleParts as string[]).join(''));
  if (h1Parts !== null && !h1Done) h1 = collapseWhitespace((h1Parts as string[]).join(''));

  return {
    title: truncateChars(title, MAX_TITLE_CHARS),
    h1: truncateChars(h1, MAX_TITLE_CHARS),
    metaDescription,
    ogDescription,
    ogTitle,
    robots,
    htmlLang,
    metaContentLanguage,
    text: text.toString(),
    textTruncated: text.truncated,
  };
}
