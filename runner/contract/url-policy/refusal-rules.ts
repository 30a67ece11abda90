import type { AddressRule } from './address-class.ts'

/** Why the URL policy refused a URL: the `rule` of a 403 URL_REFUSED. */
export type RefusalRule = AddressRule | 'scheme' | 'unresolvable'

/** What each rule means, for messages and the README's error table. */
export const RULE_TEXT: Readonly<Record<RefusalRule, string>> = {
  scheme: 'not http or https',
  unresolvable: 'the host has no address',
  'invalid-address': 'not an IP address',
  loopback: 'it is (or resolves to) a loopback address',
  'private-address': 'it is (or resolves to) a private address',
  'link-local': 'it is (or resolves to) a link-local address, where cloud metadata services live',
  'unique-local': 'it is (or resolves to) a unique-local IPv6 address',
  multicast: 'it is (or resolves to) a multicast address',
  unspecified: 'it is (or resolves to) the unspecified address',
  broadcast: 'it is (or resolves to) the broadcast address',
  reserved: 'it is (or resolves to) a reserved address',
}
