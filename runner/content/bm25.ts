import { tokenize } from './tokenize.ts'

export interface Bm25Options {
  /** term-frequency saturation @default 1.2 */
  readonly k1?: number
  /** length normalisation @default 0.75 */
  readonly b?: number
  /** a block is kept when its score is at least this share of the best block's @default 0.35 */
  readonly minRelativeScore?: number
}

export interface ScoredText {
  readonly index: number
  readonly score: number
}

/** Okapi BM25 of each text against the query, best first; texts that match no query term are left out. */
export function rankTexts(texts: readonly string[], query: string, o: Bm25Options = {}): ScoredText[] {
  const k1 = o.k1 ?? 1.2
  const b = o.b ?? 0.75
  const terms = [...new Set(tokenize(query))]
  if (terms.length === 0 || texts.length === 0) return []
  const docs = texts.map((t) => {
    const tf = new Map<string, number>()
    const words = tokenize(t)
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1)
    return { tf, length: words.length }
  })
  const avgLength = docs.reduce((n, d) => n + d.length, 0) / docs.length || 1
  // Lucene's IDF: never negative, so a term found in most blocks still counts a little
  const idf = new Map(
    terms.map((term) => {
      const n = docs.reduce((c, d) => c + (d.tf.has(term) ? 1 : 0), 0)
      return [term, Math.log(1 + (docs.length - n + 0.5) / (n + 0.5))]
    }),
  )
  const scored: ScoredText[] = []
  docs.forEach((d, index) => {
    let score = 0
    for (const term of terms) {
      const f = d.tf.get(term)
      if (f) score += idf.get(term)! * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * d.length) / avgLength)))
    }
    if (score > 0) scored.push({ index, score })
  })
  return scored.sort((x, y) => y.score - x.score || x.index - y.index)
}

/** The texts worth keeping for the query, in their original order. */
export function selectRelevant(texts: readonly string[], query: string, o: Bm25Options = {}): ScoredText[] {
  const ranked = rankTexts(texts, query, o)
  const floor = (ranked[0]?.score ?? 0) * (o.minRelativeScore ?? 0.35)
  return ranked.filter((s) => s.score >= floor).sort((x, y) => x.index - y.index)
}
