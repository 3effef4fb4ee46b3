// The original Porter stemmer (M.F. Porter, 1980), following the reference
// implementation that Lucene's PorterStemFilter uses (org.apache.lucene.analysis
// .en.PorterStemmer, itself Porter's own Java/C release, including its two
// departures from the paper: -bli -> -ble and -logi -> -log).
//
// Why not natural's PorterStemmer for English: it computes the measure m() with
// regular expressions that count a consonant+y+vowel sequence as two vowel
// groups, so it over-stems e.g. dyadic -> dyad, myositis -> myos, glyoxal ->
// glyox (the reference keeps dyadic, myositi, glyoxal). Matching Lucene exactly
// matters because the SciFact baseline we compare against is Lucene's.
//
// Pure function of its input; operates on UTF-16 code units like Lucene (any
// character other than a, e, i, o, u, and y after a vowel, counts as a consonant).

const A = 0x61,
  E = 0x65,
  I = 0x69,
  O = 0x6f,
  U = 0x75,
  Y = 0x79
const L = 0x6c,
  S = 0x73,
  Z = 0x7a,
  T = 0x74,
  W = 0x77,
  X = 0x78

class PorterState {
  b: number[]
  k: number // index of the last character of the current word
  j = 0 // end of the stem found by the last successful ends()

  constructor(word: string) {
    this.b = new Array<number>(word.length)
    for (let i = 0; i < word.length; i++) this.b[i] = word.charCodeAt(i)
    this.k = word.length - 1
  }

  /**
   * True if b[i] is a consonant. 'y' is a consonant at the start of the word
   * and after a vowel, a vowel after a consonant; resolved iteratively (the
   * reference recursion would overflow the stack on a long run of y's).
   */
  cons(i: number): boolean {
    let p = i
    while (p > 0 && this.b[p] === Y) p--
    const c = this.b[p]
    let base: boolean
    if (c === Y)
      base = true // p === 0: initial y is a consonant
    else base = !(c === A || c === E || c === I || c === O || c === U)
    // Each y between p and i flips the answer relative to its predecessor.
    return (i - p) % 2 === 0 ? base : !base
  }

  /** Number of consonant-vowel sequences ("measure") in b[0..j]. */
  m(): number {
    let n = 0
    let i = 0
    const j = this.j
    for (;;) {
      if (i > j) return n
      if (!this.cons(i)) break
      i++
    }
    i++
    for (;;) {
      for (;;) {
        if (i > j) return n
        if (this.cons(i)) break
        i++
      }
      i++
      n++
      for (;;) {
        if (i > j) return n
        if (!this.cons(i)) break
        i++
      }
      i++
    }
  }

  vowelInStem(): boolean {
    for (let i = 0; i <= this.j; i++) if (!this.cons(i)) return true
    return false
  }

  doubleC(j: number): boolean {
    if (j < 1) return false
    if (this.b[j] !== this.b[j - 1]) return false
    return this.cons(j)
  }

  cvc(i: number): boolean {
    if (i < 2 || !this.cons(i) || this.cons(i - 1) || !this.cons(i - 2)) return false
    const ch = this.b[i]
    return !(ch === W || ch === X || ch === Y)
  }

  ends(s: string): boolean {
    const l = s.length
    const o = this.k - l + 1
    if (o < 0) return false
    for (let i = 0; i < l; i++) if (this.b[o + i] !== s.charCodeAt(i)) return false
    this.j = this.k - l
    return true
  }

  setTo(s: string): void {
    const l = s.length
    const o = this.j + 1
    for (let i = 0; i < l; i++) this.b[o + i] = s.charCodeAt(i)
    this.k = this.j + l
  }

  r(s: string): void {
    if (this.m() > 0) this.setTo(s)
  }

  /** Plurals, -ed, -ing. */
  step1(): void {
    if (this.b[this.k] === S) {
      if (this.ends('sses')) this.k -= 2
      else if (this.ends('ies')) this.setTo('i')
      else if (this.b[this.k - 1] !== S) this.k--
    }
    if (this.ends('eed')) {
      if (this.m() > 0) this.k--
    } else if ((this.ends('ed') || this.ends('ing')) && this.vowelInStem()) {
      this.k = this.j
      if (this.ends('at')) this.setTo('ate')
      else if (this.ends('bl')) this.setTo('ble')
      else if (this.ends('iz')) this.setTo('ize')
      else if (this.doubleC(this.k)) {
        const ch = this.b[this.k--]
        if (ch === L || ch === S || ch === Z) this.k++
      } else if (this.m() === 1 && this.cvc(this.k)) this.setTo('e')
    }
  }

  /** Terminal y -> i when the stem has another vowel. */
  step2(): void {
    if (this.ends('y') && this.vowelInStem()) this.b[this.k] = I
  }

  /** Double suffixes to single ones (-ization -> -ize ...), if m() > 0. */
  step3(): void {
    if (this.k === 0) return
    switch (String.fromCharCode(this.b[this.k - 1])) {
      case 'a':
        if (this.ends('ational')) {
          this.r('ate')
          break
        }
        if (this.ends('tional')) {
          this.r('tion')
          break
        }
        break
      case 'c':
        if (this.ends('enci')) {
          this.r('ence')
          break
        }
        if (this.ends('anci')) {
          this.r('ance')
          break
        }
        break
      case 'e':
        if (this.ends('izer')) {
          this.r('ize')
          break
        }
        break
      case 'l':
        if (this.ends('bli')) {
          this.r('ble')
          break
        }
        if (this.ends('alli')) {
          this.r('al')
          break
        }
        if (this.ends('entli')) {
          this.r('ent')
          break
        }
        if (this.ends('eli')) {
          this.r('e')
          break
        }
        if (this.ends('ousli')) {
          this.r('ous')
          break
        }
        break
      case 'o':
        if (this.ends('ization')) {
          this.r('ize')
          break
        }
        if (this.ends('ation')) {
          this.r('ate')
          break
        }
        if (this.ends('ator')) {
          this.r('ate')
          break
        }
        break
      case 's':
        if (this.ends('alism')) {
          this.r('al')
          break
        }
        if (this.ends('iveness')) {
          this.r('ive')
          break
        }
        if (this.ends('fulness')) {
          this.r('ful')
          break
        }
        if (this.ends('ousness')) {
          this.r('ous')
          break
        }
        break
      case 't':
        if (this.ends('aliti')) {
          this.r('al')
          break
        }
        if (this.ends('iviti')) {
          this.r('ive')
          break
        }
        if (this.ends('biliti')) {
          this.r('ble')
          break
        }
        break
      case 'g':
        if (this.ends('logi')) {
          this.r('log')
          break
        }
        break
    }
  }

  /** -ic-, -full, -ness etc. */
  step4(): void {
    switch (String.fromCharCode(this.b[this.k])) {
      case 'e':
        if (this.ends('icate')) {
          this.r('ic')
          break
        }
        if (this.ends('ative')) {
          this.r('')
          break
        }
        if (this.ends('alize')) {
          this.r('al')
          break
        }
        break
      case 'i':
        if (this.ends('iciti')) {
          this.r('ic')
          break
        }
        break
      case 'l':
        if (this.ends('ical')) {
          this.r('ic')
          break
        }
        if (this.ends('ful')) {
          this.r('')
          break
        }
        break
      case 's':
        if (this.ends('ness')) {
          this.r('')
          break
        }
        break
    }
  }

  /** -ant, -ence etc. in context <c>vcvc<v> (m() > 1). */
  step5(): void {
    if (this.k === 0) return
    let found = false
    switch (String.fromCharCode(this.b[this.k - 1])) {
      case 'a':
        found = this.ends('al')
        break
      case 'c':
        found = this.ends('ance') || this.ends('ence')
        break
      case 'e':
        found = this.ends('er')
        break
      case 'i':
        found = this.ends('ic')
        break
      case 'l':
        found = this.ends('able') || this.ends('ible')
        break
      case 'n':
        found = this.ends('ant') || this.ends('ement') || this.ends('ment') || this.ends('ent')
        break
      case 'o':
        found = (this.ends('ion') && this.j >= 0 && (this.b[this.j] === S || this.b[this.j] === T)) || this.ends('ou')
        break
      case 's':
        found = this.ends('ism')
        break
      case 't':
        found = this.ends('ate') || this.ends('iti')
        break
      case 'u':
        found = this.ends('ous')
        break
      case 'v':
        found = this.ends('ive')
        break
      case 'z':
        found = this.ends('ize')
        break
      default:
        return
    }
    if (found && this.m() > 1) this.k = this.j
  }

  /** Final -e and -ll. */
  step6(): void {
    this.j = this.k
    if (this.b[this.k] === E) {
      const a = this.m()
      if (a > 1 || (a === 1 && !this.cvc(this.k - 1))) this.k--
    }
    if (this.b[this.k] === L && this.doubleC(this.k) && this.m() > 1) this.k--
  }

  result(): string {
    let s = ''
    for (let i = 0; i <= this.k; i++) s += String.fromCharCode(this.b[i])
    return s
  }
}

/** Porter-stem a lowercased word. Words of 1-2 characters are returned as is. */
export function porterStem(word: string): string {
  if (word.length <= 2) return word
  const st = new PorterState(word)
  st.step1()
  st.step2()
  st.step3()
  st.step4()
  st.step5()
  st.step6()
  return st.result()
}
