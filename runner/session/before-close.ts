import { abortable } from '../util/with-deadline.ts'

/**
 * How long CPU work on a page's content may keep the page open. The page's close takes ~12 ms of
 * Chromium's work on the same cores, which a conversion running beside it loses (measured on 2 cores: 21 ms on the
 * worker beside the close, 10 ms without it), and the answer waits for the conversion but not for
 * the close: so a short conversion runs first and the page closes after it. A long one (a large
 * page: seconds) does not hold a page slot for its CPU work; its page closes at once.
 */
export const CONVERSION_BEFORE_CLOSE_MS = 50

/**
 * Called at the end of withPage's page work with the conversion just started on a content worker:
 * waits for it up to CONVERSION_BEFORE_CLOSE_MS, then hands it back boxed, so withPage does not wait
 * for the rest of it. The route awaits `converted` once withPage has returned.
 */
export async function convertBeforeClose<T>(conversion: Promise<T>): Promise<{ readonly converted: Promise<T> }> {
  // abortable's handler on `conversion` also keeps a failure from going unhandled until it is awaited
  await abortable(conversion, AbortSignal.timeout(CONVERSION_BEFORE_CLOSE_MS)).catch(() => undefined)
  return { converted: conversion }
}
