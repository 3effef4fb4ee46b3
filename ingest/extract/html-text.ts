// Visible text and metadata from an HTML string, in one linear pass.
//
// htmlparser2's Parser keeps its open-element stack with Array#unshift/indexOf, which is quadratic on deeply
// nested or unclosed markup. So we drive its Tokenizer (a linear state machine that also decodes entities and
// knows raw-text elements like <script>) and keep our own stack with O(1) amortised operations:
//   - push/pop at the end of an array,
//   - a per-name count of open elements, so a stray end tag is rejected without scanning,
//   - counters for "inside a hidden subtree" and "inside SVG/MathML", updated on push/pop.
// Every element is pushed and popped at most once, so the whole pass is linear in the input.
//
// Which of the visible text is body text (main content, not navigation) is decided by main-content.ts: this
// pass tells it, per text piece, what the piece is inside of, and per element end whether the element was
// link-dense or a short cookie notice.

import { Tokenizer } from 'htmlparser2'
import type { TokenizerCallbacks } from 'htmlparser2'
import { collapseWhitespace, truncateChars } from './text.ts'
import { ContentCollector, MAX_COLLECTED_CHARS_FACTOR, P_MAIN, P_REMOVED } from './main-content.ts'
import type { ContentLevel, ContentRegion } from './main-content.ts'

export interface HtmlExtract {
  /** Text of the first <title> (outside SVG), collapsed; '' when none. */
  title: string
  /** Text of the first visible <h1>, collapsed (title fallback). */
  h1: string
  /** <meta name=description> content, collapsed. */
  metaDescription: string
  /** og:description content, collapsed. */
  ogDescription: string
  /** og:title content, collapsed. */
  ogTitle: string
  /** <meta name=robots> content values. */
  robots: string[]
  /** <html lang>, or xml:lang when lang is absent; raw. */
  htmlLang: string | null
  /** <meta http-equiv=content-language> content; raw. */
  metaContentLanguage: string | null
  /** Body text (main content, see main-content.ts), collapsed, capped. */
  text: string
  textTruncated: boolean
  /** Which rules gave `text` and from which part of the page. */
  textLevel: ContentLevel
  textRegion: ContentRegion
}

export interface HtmlExtractOptions {
  /** Cap on `text` in UTF-16 code units. */
  maxTextChars: number
  /** XHTML: honour self-closing syntax ('<div/>', '<script/>') like an XML parser would. */
  xhtml?: boolean
}

/** Caps on metadata strings, so a hostile 5 MB attribute cannot become a 5 MB title. */
export const MAX_TITLE_CHARS = 2048
export const MAX_DESCRIPTION_CHARS = 4096
/** Attribute values longer than this are not collected (no interesting attribute is that long). */
const MAX_ATTR_CHARS = 16 * 1024

/** Elements whose content is never rendered as text. */
const HIDDEN_ELEMENTS = new Set([
  'head',
  'title',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'iframe',
  'noembed',
  'noframes',
  // <object>/<canvas> content is fallback a browser shows only when the plugin or canvas is unavailable.
  'object',
  'canvas',
  'datalist'
])

/** Elements at whose edges a browser breaks words (block boxes, table cells, line breaks, form controls). */
const BOUNDARY_ELEMENTS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'br',
  'button',
  'caption',
  'center',
  'col',
  'colgroup',
  'dd',
  'details',
  'dialog',
  'dir',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'frame',
  'frameset',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'img',
  'input',
  'legend',
  'li',
  'listing',
  'main',
  'menu',
  'nav',
  'ol',
  'optgroup',
  'option',
  'p',
  'plaintext',
  'pre',
  'search',
  'section',
  'select',
  'summary',
  'table',
  'tbody',
  'td',
  'textarea',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'video',
  'audio',
  'xmp',
  'math'
])

/** Void elements never have content and are never pushed. */
const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'image',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr'
])

/** Elements allowed inside <head>; any other start tag implicitly closes it (HTML "in head" insertion mode). */
const HEAD_CONTENT = new Set(['title', 'meta', 'link', 'style', 'script', 'noscript', 'base', 'template', 'basefont', 'bgsound'])

/** Start tag -> open elements it implicitly closes when they are the current node (subset of the HTML rules). */
const CLOSES_P = new Set(['p'])
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p'])
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
  ['h1', HEADINGS],
  ['h2', HEADINGS],
  ['h3', HEADINGS],
  ['h4', HEADINGS],
  ['h5', HEADINGS],
  ['h6', HEADINGS],
  ...[
    'address',
    'article',
    'aside',
    'blockquote',
    'center',
    'details',
    'dialog',
    'dir',
    'div',
    'dl',
    'fieldset',
    'figcaption',
    'figure',
    'footer',
    'form',
    'header',
    'hgroup',
    'hr',
    'main',
    'menu',
    'nav',
    'ol',
    'p',
    'pre',
    'section',
    'table',
    'ul'
  ].map(t => [t, CLOSES_P] as [string, Set<string>])
])

/** Attributes we read; everything else is skipped without building strings. */
const WANTED_ATTRS = new Set(['hidden', 'aria-hidden', 'lang', 'xml:lang', 'name', 'property', 'content', 'http-equiv', 'href', 'role', 'id', 'class'])

/**
 * Page furniture by HTML meaning: navigation, complementary content, dialogs, and form controls whose text is
 * labels of buttons and choices ('Menu', 'Accept all', a list of 40 languages). Their text is not body text.
 */
const REMOVED_ELEMENTS = new Set(['nav', 'aside', 'dialog', 'search', 'button', 'select'])
/** The same by ARIA role (the first token of role=). */
const REMOVED_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alertdialog'])
/**
 * Elements inside which <header> and <footer> belong to a section, not to the page (HTML-AAM: they are the
 * banner and contentinfo landmarks only when no such ancestor exists). An article's header holds its title.
 */
const SECTIONING = new Set(['article', 'aside', 'main', 'nav', 'section'])
/** Blocks tested for link density when they end. */
const LINK_DENSITY_BLOCKS = new Set(['div', 'section', 'ul', 'ol', 'dl', 'menu', 'table', 'tr', 'td', 'th'])
/** id or class naming a cookie or consent notice. */
const NOTICE_NAME = /cookie|consent|gdpr/i
/**
 * Elements never treated as a notice whatever their class says: <body class="cookie-consent-shown"> is the
 * page, and a form is a function of the page (Drupal's contact form has class="user-info-from-cookie").
 */
const NEVER_NOTICE = new Set(['html', 'body', 'main', 'article', 'form'])
/** A notice is short; an element named so with more text than this is kept (it is probably not one). */
export const MAX_NOTICE_CHARS = 1000

// What a tag name is, from the sets above, looked up once per start tag instead of once per set: a page has
// thousands of elements and a few dozen names.
const K_VOID = 1
const K_BOUNDARY = 2
const K_HIDDEN = 4
const K_REMOVED = 8
const K_SECTIONING = 16
const K_LINK_DENSITY = 32
const K_NEVER_NOTICE = 64
const K_HEAD_CONTENT = 128

interface ElementKind {
  /** The name, one string per name (stack entries share it). */
  readonly name: string
  readonly bits: number
  /** Open elements this start tag implicitly closes (IMPLIED_CLOSE). */
  readonly closes: Set<string> | undefined
}

/** Names seen so far; bounded, so a page of made-up tag names cannot grow it without end. */
const KINDS = new Map<string, ElementKind>()
const MAX_KINDS = 4096

function kindOf(name: string): ElementKind {
  const known = KINDS.get(name)
  if (known !== undefined) return known
  const bits =
    (VOID_ELEMENTS.has(name) ? K_VOID : 0) |
    (BOUNDARY_ELEMENTS.has(name) ? K_BOUNDARY : 0) |
    (HIDDEN_ELEMENTS.has(name) ? K_HIDDEN : 0) |
    (REMOVED_ELEMENTS.has(name) ? K_REMOVED : 0) |
    (SECTIONING.has(name) ? K_SECTIONING : 0) |
    (LINK_DENSITY_BLOCKS.has(name) ? K_LINK_DENSITY : 0) |
    (NEVER_NOTICE.has(name) ? K_NEVER_NOTICE : 0) |
    (HEAD_CONTENT.has(name) ? K_HEAD_CONTENT : 0)
  const kind: ElementKind = { name, bits, closes: IMPLIED_CLOSE.get(name) }
  if (KINDS.size < MAX_KINDS) KINDS.set(name, kind)
  return kind
}

/** The wanted attribute names by length and first character (code | 32), so most names are skipped unread. */
const WANTED_SHAPES = new Set([...WANTED_ATTRS].map(n => n.length * 128 + n.charCodeAt(0)))

// Flags on stack entries.
const F_HIDDEN = 1 // this element hides its subtree
const F_FOREIGN = 2 // svg or math: foreign content (tokenizer must not treat <title>/<style> inside as raw text)
const F_TITLE = 4 // the document <title> being captured
const F_H1 = 8 // the first visible <h1> being captured
const F_REMOVED = 16 // page furniture by meaning: its text is not body text
const F_MAIN = 32 // <main> or role=main
const F_SECTIONING = 128 // scopes <header>/<footer> to a section
const F_LINK = 256 // <a href> to another page: its text is link text
const F_COUNTED = 512 // tested for link density when it ends
const F_NOTICE = 1024 // named as a cookie/consent notice: removed when it ends if short

interface Open {
  name: string
  /** The name's ElementKind bits. */
  kind: number
  flags: number
  /** First content piece inside the element. */
  start: number
  /** Counted (non-space) text and link text inside, for F_COUNTED/F_NOTICE elements. */
  chars: number
  links: number
}

/** Extracts text and metadata. Linear time and memory in `html.length`; never throws on malformed markup. */
export function extractHtml(html: string, options: HtmlExtractOptions): HtmlExtract {
  const xhtml = options.xhtml === true
  const content = new ContentCollector(options.maxTextChars * MAX_COLLECTED_CHARS_FACTOR)
  const stack: Open[] = []
  /** The open F_COUNTED/F_NOTICE elements, innermost last: text is counted into the last. */
  const counted: Open[] = []
  const openCount = new Map<string, number>()
  let hiddenDepth = 0
  let foreignDepth = 0
  let removedDepth = 0
  let mainDepth = 0
  let sectioningDepth = 0
  let linkDepth = 0

  let titleParts: string[] | null = null // non-null while capturing the title
  let titleLen = 0
  let titleDone = false
  let title = ''
  let h1Parts: string[] | null = null
  let h1Len = 0
  let h1Done = false
  let h1 = ''

  let metaDescription = ''
  let ogDescription = ''
  let ogTitle = ''
  const robots: string[] = []
  let htmlLang: string | null = null
  let metaContentLanguage: string | null = null

  // The start tag being read.
  let tag: ElementKind | null = null
  // One map for every start tag, cleared at the next: an element's attributes are only read while it opens.
  const attrs = new Map<string, string>()
  let attrName: string | null = null // null: current attribute not wanted
  let attrValue = ''
  let attrTooLong = false

  const tokenizer = new Tokenizer({ decodeEntities: true, xmlMode: false, recognizeSelfClosing: xhtml }, callbacks())

  function slice(start: number, end: number): string {
    return html.slice(start, end)
  }

  /** The slice, lowercased: tag and attribute names mostly are already, and then no second string is made. */
  function lowerSlice(start: number, end: number): string {
    for (let i = start; i < end; i++) {
      const c = html.charCodeAt(i)
      if ((c >= 65 && c <= 90) || c >= 128) return html.slice(start, end).toLowerCase()
    }
    return html.slice(start, end)
  }

  function push(name: string, kind: number, flags: number): void {
    const el: Open = { name, kind, flags, start: content.mark, chars: 0, links: 0 }
    stack.push(el)
    openCount.set(name, (openCount.get(name) ?? 0) + 1)
    if (flags & F_HIDDEN) hiddenDepth++
    if (flags & F_FOREIGN) foreignDepth++
    if (flags & F_REMOVED) removedDepth++
    if (flags & F_MAIN) mainDepth++
    if (flags & F_SECTIONING) sectioningDepth++
    if (flags & F_LINK) linkDepth++
    if (flags & (F_COUNTED | F_NOTICE)) counted.push(el)
    if (kind & K_BOUNDARY) content.boundary()
  }

  function pop(): void {
    const el = stack.pop()
    if (el === undefined) return
    openCount.set(el.name, (openCount.get(el.name) ?? 1) - 1)
    if (el.flags & F_HIDDEN) hiddenDepth--
    if (el.flags & F_FOREIGN) foreignDepth--
    if (el.flags & F_REMOVED) removedDepth--
    if (el.flags & F_MAIN) mainDepth--
    if (el.flags & F_SECTIONING) sectioningDepth--
    if (el.flags & F_LINK) linkDepth--
    if (el.flags & (F_COUNTED | F_NOTICE)) endCounted(el)
    if (el.flags & F_TITLE && titleParts !== null) {
      title = collapseWhitespace(titleParts.join(''))
      titleDone = title !== ''
      titleParts = null
    }
    if (el.flags & F_H1 && h1Parts !== null) {
      h1 = collapseWhitespace(h1Parts.join(''))
      h1Done = h1 !== ''
      h1Parts = null
    }
    if (el.kind & K_BOUNDARY) content.boundary()
  }

  /**
   * A counted element ended: a short notice is removed, a link-dense block is marked; otherwise its counts
   * go to the enclosing counted element (so what was removed inside never counts outside).
   */
  function endCounted(el: Open): void {
    counted.pop()
    if (el.flags & F_NOTICE && el.chars <= MAX_NOTICE_CHARS) {
      content.removeSince(el.start)
    } else if (el.flags & F_COUNTED && el.chars > 0 && el.links * 2 >= el.chars) {
      content.denseSince(el.start)
    } else if (counted.length > 0) {
      const parent = counted[counted.length - 1]
      parent.chars += el.chars
      parent.links += el.links
    }
  }

  /** What an element is for main-content selection, from its name and attributes. */
  function contentFlags(name: string, kind: number, a: Map<string, string>): number {
    let flags = 0
    const roleAttr = a.size === 0 ? undefined : a.get('role')
    const role = roleAttr === undefined ? '' : roleAttr.trim().toLowerCase().split(/\s+/, 1)[0]
    if (kind & K_REMOVED || (role !== '' && REMOVED_ROLES.has(role))) flags |= F_REMOVED
    if ((name === 'header' || name === 'footer') && sectioningDepth === 0) flags |= F_REMOVED
    if (name === 'main' || role === 'main') flags |= F_MAIN | F_SECTIONING
    if (kind & K_SECTIONING) flags |= F_SECTIONING
    if (name === 'a') {
      const href = a.get('href')
      // An in-page link (skip link, table of contents, back to top, footnote mark) repeats or points at text
      // that is already on the page.
      if (href !== undefined) flags |= href.trim().startsWith('#') ? F_REMOVED : F_LINK
    }
    if (kind & K_LINK_DENSITY) flags |= F_COUNTED
    if (!(kind & K_NEVER_NOTICE) && a.size !== 0 && (NOTICE_NAME.test(a.get('id') ?? '') || NOTICE_NAME.test(a.get('class') ?? ''))) {
      flags |= F_NOTICE
    }
    return flags
  }

  function top(): string | undefined {
    return stack.length === 0 ? undefined : stack[stack.length - 1].name
  }

  /** Pops up to and including the innermost open `name`. */
  function popUntil(name: string): void {
    while (stack.length > 0) {
      const last = stack[stack.length - 1].name
      pop()
      if (last === name) return
    }
  }

  function handleMeta(a: Map<string, string>): void {
    const content = a.get('content')
    if (content === undefined) return
    const name = (a.get('name') ?? '').trim().toLowerCase()
    const property = (a.get('property') ?? '').trim().toLowerCase()
    const equiv = (a.get('http-equiv') ?? '').trim().toLowerCase()
    if (name === 'description' && metaDescription === '') {
      metaDescription = truncateChars(collapseWhitespace(content), MAX_DESCRIPTION_CHARS)
    } else if ((property === 'og:description' || name === 'og:description') && ogDescription === '') {
      ogDescription = truncateChars(collapseWhitespace(content), MAX_DESCRIPTION_CHARS)
    } else if ((property === 'og:title' || name === 'og:title') && ogTitle === '') {
      ogTitle = truncateChars(collapseWhitespace(content), MAX_TITLE_CHARS)
    } else if (name === 'robots') {
      robots.push(content)
    } else if (equiv === 'content-language' && metaContentLanguage === null) {
      metaContentLanguage = content
    }
  }

  function isHiddenByAttributes(a: Map<string, string>): boolean {
    if (a.size === 0) return false
    const hidden = a.get('hidden')
    // hidden="until-found" content is found by find-in-page, so a reader can reach it: keep it.
    if (hidden !== undefined && hidden.trim().toLowerCase() !== 'until-found') return true
    const aria = a.get('aria-hidden')
    return aria !== undefined && aria.trim().toLowerCase() === 'true'
  }

  /** A start tag is complete: apply implied end tags, then open the element. */
  function openElement(el: ElementKind | null, a: Map<string, string>, selfClosing: boolean): void {
    if (el === null || el.name === '') return
    const name = el.name
    const kind = el.bits
    // Implied end tags, only ever looking at the current node (amortised O(1)).
    const closes = el.closes
    if (closes !== undefined) {
      while (stack.length > 0 && closes.has(stack[stack.length - 1].name)) pop()
    }
    if (!(kind & K_HEAD_CONTENT) && top() === 'head') pop()

    if (name === 'meta') handleMeta(a)
    if (name === 'html' && htmlLang === null) {
      const lang = a.get('lang') ?? a.get('xml:lang')
      if (lang !== undefined && lang.trim() !== '') htmlLang = lang
    }

    if (kind & K_VOID) {
      if (kind & K_BOUNDARY) content.boundary()
      return
    }
    let flags = contentFlags(name, kind, a)
    if (kind & K_HIDDEN || isHiddenByAttributes(a)) flags |= F_HIDDEN
    if (name === 'svg' || name === 'math') flags |= F_FOREIGN
    if (name === 'title' && foreignDepth === 0 && !titleDone && titleParts === null) {
      flags |= F_TITLE
      titleParts = []
      titleLen = 0
    }
    if (name === 'h1' && !h1Done && h1Parts === null && hiddenDepth === 0 && !(flags & F_HIDDEN)) {
      flags |= F_H1
      h1Parts = []
      h1Len = 0
    }
    push(name, kind, flags)
    // Self-closing syntax closes the element only in foreign content and XHTML; in HTML '<div/>' stays open.
    if (selfClosing && (xhtml || foreignDepth > 0)) popUntil(name)
  }

  function closeElement(name: string): void {
    if ((openCount.get(name) ?? 0) > 0) {
      popUntil(name)
    } else if (name === 'br' || name === 'p') {
      // '</br>' acts as <br>, a stray '</p>' as an empty paragraph: both break words.
      content.boundary()
    }
  }

  function onText(s: string): void {
    if (titleParts !== null && titleLen < MAX_TITLE_CHARS * 4) {
      titleParts.push(s)
      titleLen += s.length
    }
    // Non-space text directly inside <head> ends the head, as in a browser.
    if (top() === 'head' && /\S/.test(s)) pop()
    if (hiddenDepth > 0) return
    const pieceFlags = (removedDepth > 0 ? P_REMOVED : 0) | (mainDepth > 0 ? P_MAIN : 0)
    const w = content.add(s, pieceFlags)
    if (w > 0 && removedDepth === 0 && counted.length > 0) {
      const c = counted[counted.length - 1]
      c.chars += w
      if (linkDepth > 0) c.links += w
    }
    if (h1Parts !== null && h1Len < MAX_TITLE_CHARS * 4) {
      h1Parts.push(s)
      h1Len += s.length
    }
    // Once the text collected overflowed its cap and the title is known, the rest cannot change the result.
    if (content.full && titleParts === null) tokenizer.pause()
  }

  function callbacks(): TokenizerCallbacks {
    return {
      ontext(start, end) {
        onText(slice(start, end))
      },
      ontextentity(cp) {
        onText(String.fromCodePoint(cp))
      },
      onopentagname(start, end) {
        tag = kindOf(lowerSlice(start, end))
        // clear() makes a new table: most tags have no attribute we keep.
        if (attrs.size !== 0) attrs.clear()
        attrName = null
      },
      onattribname(start, end) {
        // Names of another length and first letter than every wanted one are skipped without building a string.
        const n = WANTED_SHAPES.has((end - start) * 128 + (html.charCodeAt(start) | 32)) ? lowerSlice(start, end) : ''
        attrName = WANTED_ATTRS.has(n) ? n : null
        attrValue = ''
        attrTooLong = false
      },
      onattribdata(start, end) {
        if (attrName === null || attrTooLong) return
        if (attrValue.length + (end - start) > MAX_ATTR_CHARS) {
          attrTooLong = true
          attrValue = ''
          return
        }
        attrValue += slice(start, end)
      },
      onattribentity(cp) {
        if (attrName === null || attrTooLong) return
        attrValue += String.fromCodePoint(cp)
      },
      onattribend() {
        if (attrName !== null && !attrs.has(attrName)) {
          // An over-long value is recorded as present but empty: 'hidden' still hides, meta content is dropped.
          attrs.set(attrName, attrTooLong ? '' : attrValue)
        }
        attrName = null
        attrValue = ''
      },
      onopentagend() {
        openElement(tag, attrs, false)
        tag = null
      },
      onselfclosingtag() {
        openElement(tag, attrs, true)
        tag = null
      },
      onclosetag(start, end) {
        closeElement(lowerSlice(start, end))
      },
      oncomment() {},
      oncdata() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
      isInForeignContext() {
        return foreignDepth > 0
      }
    }
  }

  tokenizer.write(html)
  tokenizer.end()

  // Elements still open at the end of input end there (an unclosed title or h1 keeps what was captured).
  while (stack.length > 0) pop()
  const body = content.finish(options.maxTextChars)

  return {
    title: truncateChars(title, MAX_TITLE_CHARS),
    h1: truncateChars(h1, MAX_TITLE_CHARS),
    metaDescription,
    ogDescription,
    ogTitle,
    robots,
    htmlLang,
    metaContentLanguage,
    text: body.text,
    textTruncated: body.truncated,
    textLevel: body.level,
    textRegion: body.region
  }
}
