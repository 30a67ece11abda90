import { describe, expect, it } from 'vitest'
import { TargetFailedError } from '../../../runner/contract/errors.ts'
import { classifyPageError } from '../../../runner/session/classify-error.ts'

const ctx = { signal: new AbortController().signal, crashed: false }

describe('classifyPageError', () => {
  it.each([
    ['page.goto: net::ERR_SSL_PROTOCOL_ERROR at https://127.0.0.1:8000/', 'tls', 'ERR_SSL_PROTOCOL_ERROR'],
    ['page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://self-signed.test/', 'tls', 'ERR_CERT_AUTHORITY_INVALID'],
    ['page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/', 'refused', 'ERR_CONNECTION_REFUSED'],
    ['the main document failed: net::ERR_INCOMPLETE_CHUNKED_ENCODING', 'reset', 'ERR_INCOMPLETE_CHUNKED_ENCODING'],
  ])('names the whole net::ERR_ code of %s', (message, rule, code) => {
    const err = classifyPageError(new Error(message), ctx)
    expect(err).toBeInstanceOf(TargetFailedError)
    expect(err).toMatchObject({ rule, status: 502 })
    expect(err.message).toContain(`(${code})`)
  })
})
