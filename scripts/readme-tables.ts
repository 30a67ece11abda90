// The README's generated tables: settings (runner, edge) and errors, from the declarations the code
// runs on. `npm run docs` rewrites them in place; tests/unit/architecture/readme.test.ts fails when
// the README and the declarations drift apart.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ERRORS } from '../runner/contract/errors.ts'
import { defaultTextOf, type Setting } from '../runner/contract/settings/define.ts'
import { EDGE_SETTINGS } from '../runner/contract/settings/edge-settings.ts'
import { RUNNER_SETTINGS } from '../runner/contract/settings/runner-settings.ts'

export const README = fileURLToPath(new URL('../README.md', import.meta.url))

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function settingsTable(table: Readonly<Record<string, Setting<unknown> & { operator?: boolean }>>, withContextKey: boolean): string {
  const rows = Object.entries(table).map(([key, s]) => {
    const fallback = defaultTextOf(s)
    const shown = s.defaultText !== undefined || fallback === 'unset' || fallback === 'empty' ? fallback : `\`${fallback}\``
    const context = withContextKey ? ` | ${s.operator ? `\`${key}\`` : ''}` : ''
    return `| \`${s.env}\` | ${cell(shown)} | ${cell(s.doc)}${context} |`
  })
  const head = withContextKey ? '| variable | default | meaning | CDK context key |\n|---|---|---|---|' : '| variable | default | meaning |\n|---|---|---|'
  return [head, ...rows].join('\n')
}

export function errorTable(): string {
  const rows = Object.entries(ERRORS)
    .sort(([, a], [, b]) => a.status - b.status)
    .map(([name, e]) => {
      const rules = 'rules' in e ? `: ${Object.entries(e.rules).map(([rule, text]) => `\`${rule}\` ${text}`).join('; ')}` : ''
      return `| ${e.status} | \`${name}\` | ${e.retryElsewhere ? 'yes' : 'no'} | ${cell(e.when + rules)} |`
    })
  return ['| status | code | another runner may take it (edge retries; `Retry-After`) | when |', '|---|---|---|---|', ...rows].join('\n')
}

export const GENERATED: Readonly<Record<string, () => string>> = {
  'runner-settings': () => settingsTable(RUNNER_SETTINGS, true),
  'edge-settings': () => settingsTable(EDGE_SETTINGS, false),
  errors: errorTable,
}

/** The README with every generated block replaced by what the declarations give now. */
export function regenerate(readme: string): string {
  let out = readme
  for (const [name, make] of Object.entries(GENERATED)) {
    const block = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- end:${name} -->)`)
    if (!block.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> … <!-- end:${name} --> block`)
    out = out.replace(block, (_m, open: string, close: string) => `${open}\n${make()}\n${close}`)
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, regenerate(readFileSync(README, 'utf8')))
  process.stdout.write('README.md: generated tables rewritten\n')
}
