// Word segmentation over normalised (NFKC, lowercased) text.
//
// Why a regex and not Intl.Segmenter: Intl.Segmenter's word boundaries come
// from the ICU version bundled with the runtime and change between releases
// (notably its dictionary-based CJK/Thai segmentation). Index blocks must be
// byte-identical for the same documents, so we use a small rule set we control,
// modelled on the common cases of UAX #29 (Lucene's StandardTokenizer), and
// only depend on Unicode general categories and scripts.
//
// Rules:
//  - A word is a run of letters, digits and combining marks that starts with a
//    letter or digit (a string of bare combining marks yields nothing).
//  - Inside a word, an apostrophe (' ‘ ’) between two letters is kept, so
//    "don't" and "o'neill" stay whole and the possessive "'s" can be stripped
//    later; '.' or ',' between two digits is kept, so "3.5" and "1,000" stay
//    whole (as in UAX #29).
//  - Everything else separates words: hyphens ("covid-19" -> covid, 19),
//    underscores, '.', ':' and '/' between letters ("example.com" -> example,
//    com: better recall on web pages than UAX #29, which keeps "example.com" as
//    one token).
//  - Runs of scripts written without spaces (Han, Hiragana, Katakana, Hangul,
//    Thai, Lao, Khmer, Myanmar) are returned as separate "bigram runs", and are
//    split into overlapping bigrams by cjk.ts. Such a run ends at any other
//    character, so mixed text ("iPhoneを買った") gives the Latin word and the
//    Japanese run separately.

/** Characters that start a cluster in a bigram run. */
const BIGRAM_BASE = String.raw`[[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]&&[\p{L}\p{N}]][[\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]&&\p{L}]]`;
const WORD_START = String.raw`[[\p{L}\p{N}]--${BIGRAM_BASE}]`;
const WORD_CONT = String.raw`[[\p{L}\p{N}\p{M}]--${BIGRAM_BASE}]`;
const LETTER = String.raw`[\p{L}--${BIGRAM_BASE}]`;
const DIGIT = String.raw`[\p{N}--${BIGRAM_BASE}]`;
const JOINER = String.raw`(?:(?<=\p{L}\p{M}*)['\u2018\u2019](?=${LETTER})|(?<=\p{N}\p{M}*)[.,](?=${DIGIT}))`;

/**
 * Group 1 matches a bigram run; otherwise the match is a word.
 * The pattern is linear: joiners are not in WORD_CONT, so there is no
 * ambiguity to backtrack over.
 */
const TOKEN_RE = new RegExp(
  String.raw`((?:${BIGRAM_BASE}\p{M}*)+)|${WORD_START}${WORD_CONT}*(?:${JOINER}${WORD_CONT}+)*`,
  'gv',
);

export type SegmentKind = 'word' | 'bigram-run';

/** Receives each segment; return false to stop scanning. */
export type SegmentSink = (text: string, kind: SegmentKind) => boolean;

/**
 * Scan normalised text and pass each word / bigram run to `sink`, in order.
 * Stops early when `sink` returns false (used to enforce token caps without
 * scanning the rest of a huge field).
 */
export function scanSegments(normalized: string, sink: SegmentSink): void {
  // A private copy keeps lastIndex state local, so nested or interleaved use
  // cannot interfere (cheap: V8 shares the compiled code).
  const re = new RegExp(TOKEN_RE);
  let m: RegExpExecArray | null;
  while ((m = re.exec(normalized)) !== null) {
    const keepGoing = m[1] !== undefined ? sink(m[0], 'bigram-run') : sink(m[0], 'word');
    if (!keepGoing) return;
  }
}

/** Convenience for tests and debugging: all segments of normalised text. */
export function segments(normalized: string): Array<{ text: string; kind: SegmentKind }> {
  const out: Array<{ text: string; kind: SegmentKind }> = [];
  scanSegments(normalized, (text, kind) => {
    out.push({ text, kind });
    return true;
  });
  return out;
}
