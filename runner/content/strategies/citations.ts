// crawl4ai's DefaultMarkdownGenerator.convert_links_to_citations: every Markdown link becomes
// `text⟨n⟩`, images `![alt⟨n⟩]`, and a "## References" list gives each URL once, in order.

const LINK = /!?\[((?:[^[\]]|\[(?:[^[\]]|\[[^\]]*\])*\])*)\]\(((?:[^()\s]|\([^()]*\))*)(?:\s+"([^"]*)")?\)/g

export function markdownWithCitations(markdown: string, baseUrl: string): { markdownWithCitations: string; referencesMarkdown: string } {
  const refs = new Map<string, { n: number; desc: string }>()
  const converted = markdown.replace(LINK, (whole, text: string, url: string, title: string | undefined) => {
    let target = url
    if (baseUrl && !/^(https?:|mailto:)/i.test(url)) {
      try {
        target = new URL(url, baseUrl).href
      } catch {
        // kept as written
      }
    }
    let ref = refs.get(target)
    if (!ref) {
      const parts = [title, text && text !== title ? text : undefined].filter(Boolean)
      ref = { n: refs.size + 1, desc: parts.length ? `: ${parts.join(' - ')}` : '' }
      refs.set(target, ref)
    }
    return whole.startsWith('!') ? `![${text}⟨${ref.n}⟩]` : `${text}⟨${ref.n}⟩`
  })
  const list = [...refs.entries()].map(([url, { n, desc }]) => `⟨${n}⟩ ${url}${desc}\n`).join('')
  return { markdownWithCitations: converted, referencesMarkdown: `\n\n## References\n\n${list}` }
}
