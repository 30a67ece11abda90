import { InvalidFieldError } from './errors.ts'

/** crawl4ai's `GET /llm/{url}?q=`: the URL is the rest of the path, percent-decoded, https:// when it has no scheme. */
export function urlFromLlmPath(pathname: string): string {
  let url: string
  try {
    url = decodeURIComponent(pathname.replace(/^\/llm\//, ''))
  } catch {
    throw new InvalidFieldError('url', 'is not a valid percent-encoded URL')
  }
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`
}
