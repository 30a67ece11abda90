// Request bodies as crawl4ai's Python client produces them (BrowserConfig.dump(), CrawlerRunConfig.dump():
// to_serializable_dict, which sends only non-default values, wraps every dict as {"type": "dict", "value"}
// and every object as {"type": <class>, "params"}), and as its documentation writes them by hand.

/** `{"type": name, "params": params}` */
export const typed = (type: string, params: unknown = {}) => ({ type, params })
/** `{"type": "dict", "value": value}` */
export const dict = (value: Record<string, unknown>) => ({ type: 'dict', value })

/** BrowserConfig(headless=True).dump(): its constructor always adds a sec-ch-ua header */
export const pythonBrowserConfig = (extra: Record<string, unknown> = {}) =>
  typed('BrowserConfig', { headers: dict({ 'sec-ch-ua': '"Chromium";v="116", "Not_A Brand";v="8", "Google Chrome";v="116"' }), ...extra })

/** CrawlerRunConfig(...).dump(): the defaults its constructor fills in come along (scraping and table strategies, social media domains) */
export const pythonCrawlerConfig = (params: Record<string, unknown> = {}) =>
  typed('CrawlerRunConfig', {
    scraping_strategy: typed('LXMLWebScrapingStrategy'),
    table_extraction: typed('DefaultTableExtraction', { table_score_threshold: 7 }),
    exclude_social_media_domains: ['facebook.com', 'twitter.com', 'x.com', 'linkedin.com', 'instagram.com', 'pinterest.com', 'tiktok.com', 'snapchat.com', 'reddit.com'],
    ...params,
  })

/** The schema crawl4ai's docs use for JsonCssExtractionStrategy, as the Python client sends it (every dict wrapped) */
export const productSchema = dict({
  name: 'Products',
  baseSelector: 'article.product',
  baseFields: [dict({ name: 'sku', type: 'attribute', attribute: 'data-sku' })],
  fields: [
    dict({ name: 'name', selector: 'h2.name', type: 'text' }),
    dict({ name: 'price', selector: '.price', type: 'regex', pattern: '\\$(\\d+\\.\\d{2})' }),
    dict({ name: 'link', selector: 'a.more', type: 'attribute', attribute: 'href' }),
    dict({ name: 'name_html', selector: 'h2.name', type: 'html' }),
    dict({ name: 'first_spec', selector: 'ul.specs', type: 'nested', fields: [dict({ name: 'key', selector: '.key', type: 'text' })] }),
    dict({ name: 'spec_values', selector: 'li.spec', type: 'list', fields: [dict({ name: 'value', selector: '.value', type: 'text' })] }),
    dict({ name: 'specs', selector: 'li.spec', type: 'nested_list', fields: [dict({ name: 'key', selector: '.key', type: 'text' }), dict({ name: 'value', selector: '.value', type: 'text', transform: 'lowercase' })] }),
  ],
})

/** the same schema with XPath selectors, as crawl4ai's JsonXPathExtractionStrategy docs write it (plain dicts) */
export const productXpathSchema = {
  name: 'Products',
  baseSelector: "//article[contains(@class, 'product')]",
  baseFields: [{ name: 'sku', type: 'attribute', attribute: 'data-sku' }],
  fields: [
    { name: 'name', selector: ".//h2[@class='name']", type: 'text' },
    { name: 'link', selector: ".//a[@class='more']", type: 'attribute', attribute: 'href' },
    { name: 'specs', selector: ".//li[@class='spec']", type: 'nested_list', fields: [{ name: 'key', selector: ".//span[@class='key']", type: 'text' }] },
  ],
}
