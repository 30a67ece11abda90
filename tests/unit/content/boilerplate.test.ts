import { describe, expect, it } from 'vitest'
import { isBoilerplateElement, removeBoilerplate } from '../../../runner/content/boilerplate.ts'
import { parseHtml } from '../../../runner/content/parse-html.ts'

const body = (html: string) => parseHtml(`<html><head></head><body>${html}</body></html>`, 'https://s.example/').document.body
const first = (html: string) => body(html).firstElementChild!

describe('isBoilerplateElement', () => {
  it('recognises chrome by tag, role, hidden state and class or id words', () => {
    for (const html of [
      '<nav>n</nav>',
      '<aside>a</aside>',
      '<footer>f</footer>',
      '<div role="navigation">r</div>',
      '<div id="onetrust-banner-sdk">o</div>',
      '<div class="cookieBanner">c</div>',
      '<section class="ad ad--top">x</section>',
      '<div hidden>h</div>',
      '<p style="display: none">s</p>',
    ]) {
      expect(isBoilerplateElement(first(html)), html).toBe(true)
    }
  })

  it('matches whole words only', () => {
    for (const html of ['<div class="thread">t</div>', '<div class="download-box">d</div>', '<div class="shadow">s</div>', '<div class="headline">h</div>']) {
      expect(isBoilerplateElement(first(html)), html).toBe(false)
    }
  })

  it('keeps the parts of an article that share a chrome word', () => {
    const root = body('<article><header><h1>T</h1></header><div class="post-footer">tags</div></article>')
    expect(isBoilerplateElement(root.querySelector('header')!)).toBe(false)
    expect(isBoilerplateElement(root.querySelector('.post-footer')!)).toBe(false)
    expect(isBoilerplateElement(first('<div class="site-footer">f</div>'))).toBe(true)
  })

  it('never removes a wrapper that holds the main content', () => {
    expect(isBoilerplateElement(first('<div class="sidebar-layout"><main><p>m</p></main></div>'))).toBe(false)
  })
})

describe('removeBoilerplate', () => {
  it('removes each chrome subtree and leaves the rest in order', () => {
    const root = body('<header>h</header><div><p>one</p><div class="newsletter">n</div><p>two</p></div><footer>f</footer>')
    expect(removeBoilerplate(root)).toBe(3)
    expect(root.innerHTML).toBe('<div><p>one</p><p>two</p></div>')
  })
})
