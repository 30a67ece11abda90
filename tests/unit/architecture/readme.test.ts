import { readdirSync, readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { README, regenerate } from '../../../scripts/readme-tables.ts'

// The README is part of the product: its generated tables must be what the declarations say now,
// and its architecture map must name every folder a newcomer will find.

const readme = readFileSync(README, 'utf8')

describe('README.md', () => {
  it('has the settings and error tables the declarations generate (run `npm run docs` after changing them)', () => {
    expect(readme).toBe(regenerate(readme))
  })

  it('names every folder under runner/ and edge/ in its architecture map', () => {
    const map = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('## Dependencies'))
    for (const top of ['runner', 'edge']) {
      const folders = readdirSync(new URL(`../../../${top}/`, import.meta.url)).filter((n) => statSync(new URL(`../../../${top}/${n}`, import.meta.url)).isDirectory())
      for (const folder of folders) expect(map, `${top}/${folder}/`).toMatch(new RegExp(`^\\s+${folder}/`, 'm'))
    }
  })
})
