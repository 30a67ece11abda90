import TurndownService from 'turndown'
import { highlightedCodeBlock, strikethrough } from '@joplin/turndown-plugin-gfm'
import { compactListItems, gfmTables, gfmTaskLists } from './gfm-rules.ts'
import { absoluteUrl, imageSource, isScriptUrl } from './urls.ts'

export type MarkdownConverter = (node: Element | Document | DocumentFragment) => string

const NOT_CONTENT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'IFRAME', 'OBJECT', 'EMBED', 'CANVAS', 'SVG', 'SELECT', 'BUTTON'])
const LANGUAGE = /(?:^|\s)(?:language|lang|highlight-source|highlight)-([\w+#.-]+)/i

function codeLanguage(pre: Element): string {
  const code = pre.querySelector('code')
  for (const el of [code, pre, pre.parentElement]) {
    if (!el) continue
    const lang = el.getAttribute('data-lang') ?? el.getAttribute('data-language') ?? LANGUAGE.exec(el.getAttribute('class') ?? '')?.[1]
    if (lang && /^[\w+#.-]{1,40}$/.test(lang)) return lang.toLowerCase()
  }
  return ''
}

function fenced(code: string, language: string): string {
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return `\n\n${fence}${language}\n${code.replace(/\n$/, '')}\n${fence}\n\n`
}

const escapeTitle = (title: string) => title.replace(/\s+/g, ' ').replace(/"/g, '\\"')
const escapeUrl = (url: string) => url.replace(/[()\s]/g, (c) => encodeURIComponent(c))

/** One converter per page: links and images resolve against `baseUrl`. */
export function createMarkdownConverter(baseUrl: string): MarkdownConverter {
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
    strongDelimiter: '**',
    hr: '---',
  })
  service.use([strikethrough, highlightedCodeBlock, gfmTables, gfmTaskLists, compactListItems])
  service.remove((node) => NOT_CONTENT.has(node.nodeName.toUpperCase()))
  service.addRule('fencedCode', {
    filter: 'pre',
    replacement: (_content, node) => fenced(node.textContent ?? '', codeLanguage(node)),
  })
  service.addRule('absoluteLink', {
    filter: (node) => node.nodeName === 'A' && node.hasAttribute('href'),
    replacement: (content, node) => {
      const text = content.trim()
      const href = node.getAttribute('href') ?? ''
      const url = isScriptUrl(href) ? null : absoluteUrl(href, baseUrl)
      if (!text || !url) return text
      const title = node.getAttribute('title')?.trim()
      // nav bars put links side by side with no space between them; their Markdown must not run together
      const spaced = node.nextSibling?.nodeName === 'A' ? ' ' : ''
      return `[${text.replace(/\n+/g, ' ')}](${escapeUrl(url)}${title ? ` "${escapeTitle(title)}"` : ''})${spaced}`
    },
  })
  service.addRule('absoluteImage', {
    filter: 'img',
    replacement: (_content, node) => {
      const src = imageSource(node)
      const url = src && absoluteUrl(src, baseUrl)
      // inline data: images can be megabytes of base64 that mean nothing as text
      if (!url || url.startsWith('data:')) return ''
      const alt = (node.getAttribute('alt') ?? '').replace(/\s+/g, ' ').replace(/[[\]]/g, '\\$&')
      const title = node.getAttribute('title')?.trim()
      return `![${alt}](${escapeUrl(url)}${title ? ` "${escapeTitle(title)}"` : ''})`
    },
  })
  return (node) => service.turndown(node as TurndownService.Node).trim()
}
