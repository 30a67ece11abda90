import { InvalidFieldError } from '../../contract/errors.ts'

// crawl4ai's patterns are Python regular expressions; the common Python-only spellings are turned
// into JavaScript's: named groups, inline flags at the start, \A and \Z.

export function pythonRegex(pattern: string, flags = '', field = 'pattern'): RegExp {
  let source = pattern
  let f = flags
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source)
  if (inline) {
    source = source.slice(inline[0].length)
    for (const c of inline[1]!) if ('ims'.includes(c) && !f.includes(c)) f += c
  }
  source = source.replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '$')
  try {
    return new RegExp(source, f)
  } catch (err) {
    throw new InvalidFieldError(field, `is not a regular expression this server reads: ${(err as Error).message}`)
  }
}
