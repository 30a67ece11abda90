import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { CORPUS_DIR, type GroundTruth } from './corpus-site-https.ts'

// Scoring with the benchmark's own evaluate.py (shingles of four tokens, mean precision and recall
// over pages, F1 of the two, bootstrap standard deviations), run in a temporary copy of the
// benchmark folder: predictions go to output/<name>.json there, never into the shared corpus.
// Per-page and per-group figures use the same scorer's functions, called from a small helper.

const run = promisify(execFile)

export type Predictions = Record<string, { articleBody: string; url: string }>

export interface Scores {
  readonly f1: number
  readonly precision: number
  readonly recall: number
  /** evaluate.py's bootstrap standard deviations */
  readonly f1_std?: number
  readonly precision_std?: number
  readonly recall_std?: number
}

/** per page: [tp, fp, fn], normalised so each page weighs the same (evaluate.py's string_shingle_matching) */
export type PageCounts = Record<string, readonly [number, number, number]>

const PER_PAGE_PY = `
import json, sys
from pathlib import Path
sys.path.insert(0, '.')
import evaluate as ev
gt = ev.load_json(Path('ground-truth.json'))
out = {}
for name in sys.argv[1:]:
    pred, _ = ev.load_prediction(Path('output') / (name + '.json'))
    out[name] = {k: ev.string_shingle_matching(true=gt[k].get('articleBody', ''), pred=pred[k].get('articleBody', '')) for k in gt}
print(json.dumps(out))
`

export interface Scored {
  /** evaluate.py's own numbers, by prediction name */
  readonly overall: Record<string, Scores>
  readonly perPage: Record<string, PageCounts>
  /** what evaluate.py printed */
  readonly table: string
}

/** `subset`: score only these pages (a partial run); the copy's ground truth is cut to them */
export async function scoreWithEvaluatePy(predictions: Record<string, Predictions>, o: { bootstrap: number; dir?: string; subset?: readonly string[] }): Promise<Scored> {
  const dir = await mkdtemp(join(tmpdir(), 'article-extraction-'))
  const corpus = o.dir ?? CORPUS_DIR
  try {
    await mkdir(join(dir, 'output'))
    await copyFile(join(corpus, 'evaluate.py'), join(dir, 'evaluate.py'))
    const truth = JSON.parse(await readFile(join(corpus, 'ground-truth.json'), 'utf8')) as Record<string, GroundTruth>
    const kept = o.subset ? Object.fromEntries(o.subset.map((id) => [id, truth[id]])) : truth
    await writeFile(join(dir, 'ground-truth.json'), JSON.stringify(kept))
    for (const [name, p] of Object.entries(predictions)) await writeFile(join(dir, 'output', `${name}.json`), JSON.stringify(p))
    await writeFile(join(dir, 'per_page.py'), PER_PAGE_PY)
    const opts = { cwd: dir, maxBuffer: 64 * 1024 * 1024 }
    const printed = await run('python3', ['evaluate.py', '--n-bootstrap', String(o.bootstrap), '--output', 'results.json'], opts)
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Record<string, Scores & { tp_fp_fns?: unknown }>
    const overall: Record<string, Scores> = {}
    for (const [name, r] of Object.entries(results)) {
      const { f1, precision, recall, f1_std, precision_std, recall_std } = r
      overall[name] = { f1, precision, recall, f1_std, precision_std, recall_std }
    }
    const perPage = JSON.parse((await run('python3', ['per_page.py', ...Object.keys(predictions)], opts)).stdout) as Record<string, PageCounts>
    return { overall, perPage, table: printed.stdout }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** evaluate.py's metrics_from_tp_fp_fns over a subset of pages (mean precision, mean recall, F1 of the means) */
export function scoresOf(counts: readonly (readonly [number, number, number])[]): Scores {
  const p = counts.filter(([tp, fp]) => tp + fp > 0).map(([tp, fp, fn]) => (fp === 0 && fn === 0 ? 1 : tp / (tp + fp)))
  const r = counts.filter(([tp, , fn]) => tp + fn > 0).map(([tp, fp, fn]) => (fp === 0 && fn === 0 ? 1 : tp / (tp + fn)))
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
  const precision = mean(p)
  const recall = mean(r)
  return { f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, precision, recall }
}

export const pageF1 = ([tp, fp, fn]: readonly [number, number, number]): number => (tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn))

const ENGLISH = new Set(['the', 'and', 'of', 'to', 'in', 'is', 'that', 'for', 'on', 'with', 'was', 'it', 'as', 'are', 'this', 'be', 'by', 'at', 'from'])

/**
 * The page's language group from its own saved HTML (not from the ground truth): the script most
 * of its letters are in, and for Latin script whether common English words make up 5 % of its
 * words. Groups: english, other-latin (Portuguese, Italian, German, Indonesian…), non-latin
 * (Cyrillic, Korean, Japanese…).
 */
export async function languageGroup(id: string, dir = CORPUS_DIR): Promise<'english' | 'other-latin' | 'non-latin'> {
  const html = gunzipSync(await readFile(join(dir, 'html', `${id}.html.gz`))).toString('utf8')
  const text = html
    .replace(/<(script|style|noscript)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
  const latin = text.match(/[A-Za-z\u00C0-\u024F]/g)?.length ?? 0
  const other = text.match(/[\u0400-\u04FF\u0590-\u06FF\u0900-\u0DFF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]/g)?.length ?? 0
  if (other > latin) return 'non-latin'
  const words = text.toLowerCase().match(/[a-z\u00C0-\u024F]+/g) ?? []
  const english = words.filter((w) => ENGLISH.has(w)).length
  return words.length > 0 && english / words.length >= 0.05 ? 'english' : 'other-latin'
}

/** dev and held-out halves by the page id, fixed before any tuning: the first byte's parity */
export const splitOf = (id: string): 'dev' | 'held-out' => (parseInt(id.slice(0, 2), 16) % 2 === 0 ? 'dev' : 'held-out')

export type { GroundTruth }
