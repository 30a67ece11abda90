import { describe, expect, it } from 'vitest'
import { SiteBlocks } from '../../../runner/pages/site-blocks.ts'

describe('SiteBlocks (one crawl request\'s memory of blocks, by site)', () => {
  it('gives a page the blocks recorded for its own site only', () => {
    const blocks = new SiteBlocks()
    expect(blocks.seenBefore('https://a.example/one')).toEqual([])
    blocks.add('https://a.example/one', ['newsletter box', 'story one'])
    blocks.add('https://b.example/x', ['elsewhere'])
    expect(blocks.seenBefore('https://a.example/two').sort()).toEqual(['newsletter box', 'story one'])
    expect(blocks.seenBefore('http://a.example/two')).toEqual([]) // another scheme is another site
    expect(blocks.seenBefore('https://b.example/y')).toEqual(['elsewhere'])
  })

  it('stays bounded: at most 5000 blocks a site', () => {
    const blocks = new SiteBlocks()
    blocks.add('https://a.example/', Array.from({ length: 6000 }, (_, i) => `block ${i}`))
    expect(blocks.seenBefore('https://a.example/')).toHaveLength(5000)
  })

  it('starts empty for every request: two crawls share nothing', () => {
    const first = new SiteBlocks()
    first.add('https://a.example/', ['seen by the first caller'])
    expect(new SiteBlocks().seenBefore('https://a.example/')).toEqual([])
  })
})
