import htmlRoute from './html.post.ts'
import screenshotRoute from './screenshot.post.ts'
import pdfRoute from './pdf.post.ts'
import executeJsRoute from './execute-js.post.ts'

/** Every page route, in one list: the app registers these and the OpenAPI document lists them. */
export const pageRoutes = [htmlRoute, screenshotRoute, pdfRoute, executeJsRoute] as const
