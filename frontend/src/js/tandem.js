// Tandem's JavaScript: progressive enhancement only. Every page and form works
// without it. Loaded as <script type="module">, so it runs only in browsers
// that GOV.UK Frontend supports, after the document has been parsed.
//
// No eval, no inline handlers, no HTML strings with inline styles: the
// Content-Security-Policy forbids them.

import { initAll as initGovukFrontend } from './govuk-frontend.min.js'
import { initAll as initMojFrontend } from './moj-frontend.min.js'
import { initTimeoutWarning } from './timeout-warning.js'

initGovukFrontend()
initMojFrontend()
initTimeoutWarning(document)
