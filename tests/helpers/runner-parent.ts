// A parent process that starts a runner over an IPC channel (as `npm start` does), passes the
// runner's `listening` message on with the runner's pid, and then only waits: a test kills it.
import { spawn } from 'node:child_process'

const runner = spawn(process.execPath, ['--import', 'tsx', 'runner/main.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: process.env })
runner.on('message', (m: { event?: string }) => {
  if (m?.event === 'listening') process.send?.({ ...m, runnerPid: runner.pid })
})
