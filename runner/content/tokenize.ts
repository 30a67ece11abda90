// English stop words: too common to tell one block from another.
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him
  himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other
  our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
  these they this those through to too under until up very was we were what when where which while who whom why will
  with would you your yours yourself yourselves also may might must shall us via per`.split(/\s+/),
)

/** Folds the commonest English plural so "limits" finds "limit"; no stemming beyond that. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1)
  return word
}

/** lower-cased words and numbers, accents folded, stop words and one-letter words dropped */
export function tokenize(text: string): string[] {
  const out: string[] = []
  for (const raw of text.toLowerCase().normalize('NFKD').replace(/\p{M}+/gu, '').split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 2 && !/\d/.test(raw)) continue
    if (STOP_WORDS.has(raw)) continue
    out.push(singular(raw))
  }
  return out
}
