import { describe, expect, it } from 'vitest'
import { pageFacts } from '../../../runner/content/index.ts'
import { ARTICLE_URL, readFixture } from './fixtures.ts'

describe('page facts of the article', () => {
  const facts = pageFacts(readFixture('article.html'), ARTICLE_URL)

  it('splits links into internal and external, absolute and deduplicated', () => {
    expect(facts.links.internal).toEqual([
      { href: 'https://fleet.example/privacy', text: 'Privacy choices' },
      { href: 'https://fleet.example/', text: 'Fleet Notes' },
      { href: 'https://fleet.example/archive', text: 'Archive of every issue' },
      { href: 'https://fleet.example/about', text: 'About the editors' },
      { href: 'https://fleet.example/docs/pool.html', text: 'pool documentation' },
      { href: 'https://fleet.example/posts/puppeteer-farms', text: 'Sidebar pick: scaling Puppeteer farms' },
      { href: 'https://fleet.example/posts/cgroups', text: 'Sidebar pick: reading cgroup limits' },
    ])
    expect(facts.links.external).toEqual([
      { href: 'https://social.example/@fleetnotes', text: 'Follow us on Mastodon' },
      { href: 'https://developer.chrome.example/docs/headless', text: 'headless mode guide' },
      { href: 'mailto:editors@fleet.example', text: 'Write to the editors' },
    ])
  })

  it('lists images with absolute sources', () => {
    expect(facts.media.images).toEqual([
      { src: 'https://fleet.example/articles/images/pool-diagram.png', alt: 'Diagram of the permanent, hot and cold pools' },
    ])
  })

  it('reads the metadata', () => {
    expect(facts.metadata).toEqual({
      title: 'Keeping Chromium Warm: Notes on Browser Pools | Fleet Notes',
      description: 'Why long-lived browsers beat a launch per request, and what they cost.',
      keywords: 'chromium, browser pool, playwright',
      author: 'Ada Lindqvist',
      'og:title': 'Keeping Chromium Warm',
      'og:description': 'Browser pools, measured.',
      'og:image': 'https://fleet.example/static/og/warm-chromium.png',
      canonical: 'https://fleet.example/articles/keeping-chromium-warm',
      language: 'en-GB',
    })
  })
})

describe('page facts on edge cases', () => {
  const page = (head: string, body: string) => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`

  it('counts www. as the same site and drops javascript: links from both lists', () => {
    const facts = pageFacts(
      page('', '<a href="https://www.shop.example/a">A</a><a href="JavaScript:void(0)">J</a><a href="https://sub.shop.example/b">B</a><a href="tel:+123">Call</a>'),
      'https://shop.example/',
    )
    expect(facts.links.internal).toEqual([{ href: 'https://www.shop.example/a', text: 'A' }])
    expect(facts.links.external).toEqual([
      { href: 'https://sub.shop.example/b', text: 'B' },
      { href: 'tel:+123', text: 'Call' },
    ])
  })

  it('takes a link text from aria-label or an image alt when the link has no text', () => {
    const facts = pageFacts(page('', '<a href="/x" aria-label="Close"></a><a href="/y"><img src="/y.png" alt="Logo"></a><a href="/y">Home</a>'), 'https://s.example/')
    expect(facts.links.internal).toEqual([
      { href: 'https://s.example/x', text: 'Close' },
      { href: 'https://s.example/y', text: 'Logo' },
    ])
  })

  it('reports missing metadata as null and takes the language from http-equiv', () => {
    const facts = pageFacts(page('<meta http-equiv="Content-Language" content="de"><meta name="twitter:card" content="summary">', '<p>x</p>'), 'https://s.example/')
    expect(facts.metadata).toMatchObject({ title: null, description: null, canonical: null, language: 'de', 'twitter:card': 'summary' })
  })

  it('skips inline data: images and repeats', () => {
    const facts = pageFacts(page('', '<img src="data:image/png;base64,AAAA"><img src="a.png" alt=" A  "><img src="/a.png">'), 'https://s.example/')
    expect(facts.media.images).toEqual([{ src: 'https://s.example/a.png', alt: 'A' }])
  })
})
