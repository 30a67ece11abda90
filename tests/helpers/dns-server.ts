import { createSocket } from 'node:dgram'
import * as packet from 'dns-packet'

// A DNS server on loopback UDP that answers as the test says: addresses, NXDOMAIN, or nothing at
// all (a query dropped, as an overloaded or hostile server does). A runner uses it through
// CRAWLFLEET_DNS_SERVERS; every question is recorded.

export type TestAnswer = { readonly addresses: readonly string[]; readonly ttl?: number } | 'nxdomain' | 'drop'

/** `asked` counts earlier questions for this name and type, so an answer can change between them (rebinding). */
export type Answering = (name: string, type: 'A' | 'AAAA', asked: number) => TestAnswer

export interface TestDnsServer {
  /** for CRAWLFLEET_DNS_SERVERS */
  readonly server: string
  readonly queries: readonly { readonly name: string; readonly type: string }[]
  /** resolves once `n` questions matching `match` have arrived */
  waitForQueries(n: number, match: (name: string) => boolean): Promise<void>
  close(): Promise<void>
}

export async function startDnsServer(answering: Answering, host = '127.0.0.1'): Promise<TestDnsServer> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
  const queries: { name: string; type: string }[] = []
  const counts = new Map<string, number>()
  const waiters: { n: number; match: (name: string) => boolean; resolve: () => void }[] = []
  socket.on('message', (message, from) => {
    let query: packet.Packet
    try {
      query = packet.decode(message)
    } catch {
      return
    }
    const question = query.questions?.[0]
    if (!question) return
    const name = question.name.toLowerCase()
    queries.push({ name, type: question.type })
    for (const w of [...waiters]) {
      if (queries.filter((q) => w.match(q.name)).length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
    }
    if (question.type !== 'A' && question.type !== 'AAAA') return void reply(from, query, 'nxdomain')
    const key = `${question.type} ${name}`
    const asked = counts.get(key) ?? 0
    counts.set(key, asked + 1)
    reply(from, query, answering(name, question.type, asked))
  })
  const reply = (to: { address: string; port: number }, query: packet.Packet, answer: TestAnswer) => {
    if (answer === 'drop') return
    const question = query.questions![0]!
    const type = question.type as 'A' | 'AAAA'
    const records = answer === 'nxdomain' ? [] : answer.addresses.filter((a) => a.includes(':') === (type === 'AAAA'))
    const response = packet.encode({
      id: query.id,
      type: 'response',
      flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (answer === 'nxdomain' ? 3 : 0), // rcode 3: NXDOMAIN
      questions: [question],
      answers: records.map((data) => ({ type, class: 'IN', name: question.name, ttl: answer === 'nxdomain' ? 0 : (answer.ttl ?? 60), data })),
    })
    socket.send(response, to.port, to.address)
  }
  await new Promise<void>((resolve) => socket.bind(0, host, resolve))
  const { port } = socket.address()
  return {
    server: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    waitForQueries: (n, match) =>
      queries.filter((q) => match(q.name)).length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, match, resolve })),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
