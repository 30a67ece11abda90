// Preloaded (node --import) by the cold-start child: names under .cold-start.test resolve to
// 127.0.0.1, so the bundled SDK can reach the bench's stand-in for AWS at a host name that takes
// Cloud Map's "data-" prefix (an IP address cannot).
import dns from 'node:dns'

const lookup = dns.lookup
dns.lookup = function lookupTestHosts(host, opts, cb) {
  if (typeof host === 'string' && host.endsWith('.cold-start.test')) {
    const callback = typeof opts === 'function' ? opts : cb
    const all = typeof opts === 'object' && opts !== null && opts.all
    process.nextTick(() => (all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)))
    return
  }
  return lookup.call(this, host, opts, cb)
}
