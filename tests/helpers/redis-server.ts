import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

/** Where Debian's redis-server (scripts/setup.sh installs it) or valkey-server is. */
export function findRedisServer(): string {
  const found = ['/usr/bin/redis-server', '/usr/bin/valkey-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p))
  if (!found) throw new Error('redis-server not found: run scripts/setup.sh (it installs Debian\'s redis-server)')
  return found
}

export interface RedisServer {
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A real redis-server on loopback, nothing saved to disk; a port taken in between is tried again. */
export async function startRedisServer(): Promise<RedisServer> {
  const bin = findRedisServer()
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString()
        if (output.includes('Ready to accept connections')) resolve(true)
      })
      child.stderr.on('data', (d: Buffer) => void (output += d.toString()))
      child.once('exit', () => resolve(false))
    })
    if (ready) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await exited
        },
      }
    }
    if (attempt >= 3) throw new Error(`redis-server did not start: ${output}`)
  }
}
