// Builds Tandem's front-end assets into frontend/dist, which Django serves as
// static files (STATICFILES_DIRS). No bundler: Sass compiles the stylesheet,
// and the GOV.UK Frontend and MoJ Frontend ES module builds are copied as they
// are published, for tandem.js to import.
//
//   npm ci && npm run build
//
// The build checks its own output and fails rather than ship something wrong:
// every url() in the CSS must point at a file in dist, and nothing that
// belongs only to GOV.UK (crown, crest, logotype, the GDS Transport font) may
// end up in it.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

import * as sass from 'sass'

const root = dirname(fileURLToPath(import.meta.url))
const src = join(root, 'src')
const dist = join(root, 'dist')
const modules = join(root, 'node_modules')

const govukDist = join(modules, 'govuk-frontend', 'dist', 'govuk')
const mojDist = join(modules, '@ministryofjustice', 'frontend', 'moj')

// Where the images referenced from the CSS may come from, in order.
const imageSources = [join(src, 'images'), join(mojDist, 'assets', 'images'), join(govukDist, 'assets', 'images')]

// Tandem is not a GOV.UK service: none of these may be published with it.
const forbidden = /crown|crest|logotype|gds.?transport|\.woff2?$|\.ttf$|\.otf$|\.eot$/i

const verbose = Boolean(process.env.SASS_VERBOSE)

function fail (message) {
  console.error(`build failed: ${message}`)
  process.exit(1)
}

function copy (from, to) {
  if (!existsSync(from)) fail(`missing ${relative(root, from)} (did you run npm ci?)`)
  mkdirSync(dirname(to), { recursive: true })
  cpSync(from, to)
}

function filesUnder (dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

rmSync(dist, { recursive: true, force: true })
mkdirSync(dist, { recursive: true })

// 1. Stylesheet.
const dependencyWarnings = []
const result = sass.compile(join(src, 'scss', 'tandem.scss'), {
  style: 'compressed',
  // MoJ Frontend loads GOV.UK Frontend as "node_modules/govuk-frontend/...",
  // which resolves against this load path.
  loadPaths: [root],
  importers: [new sass.NodePackageImporter(root)],
  logger: {
    warn (message, { stack = '' }) {
      const origin = stack.split('\n')[0] || ''
      if (origin.includes('node_modules/')) {
        // GOV.UK Frontend deprecation notices about MoJ Frontend's own code:
        // nothing Tandem can act on.
        dependencyWarnings.push(message)
        if (verbose) console.warn(`warning (dependency): ${message}\n${stack}`)
      } else {
        console.warn(`warning: ${message}\n${stack}`)
      }
    }
  }
})
const css = result.css
if (/@font-face|GDS Transport/i.test(css)) fail('the CSS declares a web font; Tandem uses system fonts only')
writeFileSync(join(dist, 'tandem.css'), css)
if (dependencyWarnings.length) {
  console.log(`sass: ${dependencyWarnings.length} warnings from dependencies hidden (SASS_VERBOSE=1 shows them)`)
}

// 2. Images: our own, plus exactly those the CSS refers to.
for (const file of filesUnder(join(src, 'images'))) {
  copy(file, join(dist, 'assets', 'images', relative(join(src, 'images'), file)))
}
const urls = new Set([...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((match) => match[1]))
for (const url of urls) {
  if (/^(data:|#)/.test(url)) continue
  if (/^([a-z]+:)?\//i.test(url)) fail(`url(${url}) in the CSS is absolute; asset URLs must be relative to tandem.css`)
  const target = join(dist, ...posix.normalize(url).split('/'))
  if (!target.startsWith(join(dist, 'assets'))) fail(`url(${url}) points outside dist/assets`)
  if (existsSync(target)) continue
  const name = relative(join(dist, 'assets', 'images'), target)
  const source = imageSources.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate))
  if (!source) fail(`url(${url}) in the CSS has no file to copy`)
  copy(source, target)
}

// 3. JavaScript: the libraries' ES module builds (with their source maps,
// which Django's manifest storage expects to find) and our entry point.
for (const [from, name] of [
  [join(govukDist, 'govuk-frontend.min.js'), 'govuk-frontend.min.js'],
  [join(mojDist, 'moj-frontend.min.js'), 'moj-frontend.min.js']
]) {
  copy(from, join(dist, name))
  copy(`${from}.map`, join(dist, `${name}.map`))
}
for (const name of readdirSync(join(src, 'js')).filter((file) => file.endsWith('.js'))) {
  copy(join(src, 'js', name), join(dist, name))
}

// 4. Check what we are about to publish.
for (const file of filesUnder(dist)) {
  const name = relative(dist, file)
  if (forbidden.test(name)) fail(`${name} must not be published with Tandem`)
  if (file.endsWith('.js') && /\beval\s*\(|new\s+Function\s*\(/.test(readFileSync(file, 'utf8'))) {
    fail(`${name} uses eval or new Function, which the Content-Security-Policy forbids`)
  }
}

const published = filesUnder(dist).map((file) => relative(dist, file)).sort()
console.log(`built ${published.length} files into ${relative(process.cwd(), dist) || '.'}:`)
for (const name of published) console.log(`  ${name}`)
