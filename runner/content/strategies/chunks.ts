// Text cut into pieces for an LLM, each under a token budget (≈ 4 characters a token, as in
// runner/llm/prompt.ts), at paragraph or line breaks where there is one, with an optional overlap.

const CHARS_PER_TOKEN = 4

export function chunkText(text: string, maxTokens: number, overlapRate = 0): string[] {
  const max = Math.max(256, Math.floor(maxTokens * CHARS_PER_TOKEN))
  if (text.length <= max) return text.trim() ? [text] : []
  const overlap = Math.floor(max * Math.min(0.5, Math.max(0, overlapRate)))
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(text.length, start + max)
    if (end < text.length) {
      const para = text.lastIndexOf('\n\n', end)
      const line = text.lastIndexOf('\n', end)
      const cut = para > start + max / 2 ? para : line > start + max / 2 ? line : end
      end = cut
    }
    const piece = text.slice(start, end)
    if (piece.trim()) out.push(piece)
    if (end >= text.length) break
    start = Math.max(end - overlap, start + 1)
  }
  return out
}
