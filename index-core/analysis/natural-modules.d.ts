// Ambient declarations for the deep `natural` imports used by the analyzer.
// We import individual stemmer / stop-list modules instead of `natural` itself,
// because the package entry point loads slowly and prints to stdout.

interface NaturalStemmerModule {
  stem(token: string): string
}

interface NaturalStopwordModule {
  words: string[]
}

declare module 'natural/lib/natural/stemmers/porter_stemmer_de.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_es.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_fr.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_it.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_nl.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_no.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_pt.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_ru.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_sv.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_uk.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}
declare module 'natural/lib/natural/stemmers/indonesian/stemmer_id.js' {
  const stemmer: NaturalStemmerModule
  export default stemmer
}

declare module 'natural/lib/natural/util/stopwords_es.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_fa.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_fr.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_id.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_it.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_nl.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_no.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_pl.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_pt.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_ru.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_sv.js' {
  const list: NaturalStopwordModule
  export default list
}
declare module 'natural/lib/natural/util/stopwords_uk.js' {
  const list: NaturalStopwordModule
  export default list
}
