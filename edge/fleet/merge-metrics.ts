// Prometheus text from several runners as one exposition: each metric family's HELP and TYPE once,
// then every runner's samples of it (a family repeated would make the scrape invalid). Each runner
// labels its samples with `runner` already (its registry's default label); a sample without one
// gets the edge's name for that runner, so no two runners' samples can collide.

interface Family {
  help?: string
  type?: string
  readonly samples: string[]
}

export function mergePrometheusText(sources: readonly { readonly runner: string; readonly text: string }[]): string {
  const families = new Map<string, Family>()
  const familyOf = (name: string) => {
    let f = families.get(name)
    if (!f) families.set(name, (f = { samples: [] }))
    return f
  }
  for (const { runner, text } of sources) {
    let current: string | undefined
    for (const line of text.split('\n')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
      if (meta) {
        current = meta[2]!
        const f = familyOf(current)
        if (meta[1] === 'HELP') f.help ??= line
        else f.type ??= line
        continue
      }
      if (line.trim() === '' || line.startsWith('#')) continue
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0]
      if (!name) continue
      // histogram and summary samples (_bucket, _sum, _count) belong to the family their TYPE named
      const family = current && (name === current || name.startsWith(`${current}_`)) ? current : name
      familyOf(family).samples.push(withRunnerLabel(line, name, runner))
    }
  }
  const out: string[] = []
  for (const f of families.values()) {
    if (f.help) out.push(f.help)
    if (f.type) out.push(f.type)
    out.push(...f.samples)
  }
  return `${out.join('\n')}\n`
}

function withRunnerLabel(line: string, name: string, runner: string): string {
  const rest = line.slice(name.length)
  if (rest.startsWith('{}')) return `${name}{runner="${escapeLabel(runner)}"}${rest.slice(2)}`
  if (rest.startsWith('{')) return /[{,]runner="/.test(rest.slice(0, rest.indexOf('}') + 1)) ? line : `${name}{runner="${escapeLabel(runner)}",${rest.slice(1)}`
  return `${name}{runner="${escapeLabel(runner)}"}${rest}`
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
