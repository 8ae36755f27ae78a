// The session-timeout warning: a modal dialog shown a few minutes before Tandem
// signs an idle user out, offering "Stay signed in" (which renews the session
// with a small POST) and "Sign out".
//
// The markup is a <dialog> rendered by the server (accounts' session_timeout
// tag) with the timings in data attributes; without JavaScript it never opens
// and the idle sign-out happens as before. showModal() makes the rest of the
// page inert and keeps focus in the dialog; focus goes back where it was when
// the dialog closes. The countdown is read out by screen readers through a
// live region, but only every minute (and every 15 seconds in the last
// minute), not every second.
//
// Activity in other tabs counts: each page load and each renewal is written to
// localStorage, and every tab's deadline follows the latest of them.
//
// A session also ends at an absolute limit (12 hours by default) however active
// the user is. When that limit comes before the idle one, the dialog says so
// instead: staying signed in is not possible, save your work. It offers "Go back
// to save my work" (Escape does the same) instead of "Stay signed in", and opens
// once more in the last minute if it was closed earlier.

const STORAGE_KEY = 'tandem.session.lastActivity'

function minutesAndSeconds (seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return `${minutes} minute${minutes === 1 ? '' : 's'}`
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`
}

function readShared () {
  try {
    const value = Number(window.localStorage.getItem(STORAGE_KEY))
    return Number.isFinite(value) ? value : 0
  } catch {
    return 0
  }
}

function writeShared (time) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(time))
  } catch {
    // Storage may be off; this tab's own clock still works.
  }
}

export class TimeoutWarning {
  constructor (dialog) {
    this.dialog = dialog
    this.idle = Number(dialog.dataset.idleSeconds) * 1000
    this.warning = Math.min(Number(dialog.dataset.warningSeconds) * 1000, this.idle)
    this.keepAliveForm = dialog.querySelector('[data-timeout-keep-alive]')
    this.countdowns = dialog.querySelectorAll('[data-timeout-countdown]')
    this.announcer = dialog.querySelector('[data-timeout-announcer]')
    this.timedOutUrl = dialog.dataset.timedOutUrl
    this.returnFocus = null
    this.timer = null
    this.lastAnnounced = null
    this.mode = null
    this.dismissedAt = null // seconds left when the limit warning was closed
    this.lastActivity = Date.now()
    this.setLimit(dialog.dataset.absoluteSecondsLeft)
    writeShared(this.lastActivity)

    this.keepAliveForm.addEventListener('submit', (event) => {
      event.preventDefault()
      this.stay()
    })
    const dismiss = dialog.querySelector('[data-timeout-dismiss]')
    if (dismiss) dismiss.addEventListener('click', () => this.dismiss())
    // Escape means "stay signed in" (the pattern's advice), not "ignore"; at the
    // absolute limit it means "go back to save my work".
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault()
      if (this.mode === 'limit') this.dismiss()
      else this.stay()
    })
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) this.tick()
    })
    this.schedule(1000)
  }

  deadline () {
    return Math.max(this.lastActivity, readShared()) + this.idle
  }

  setLimit (secondsLeft) {
    const seconds = Number(secondsLeft)
    this.limit = secondsLeft !== undefined && secondsLeft !== null && Number.isFinite(seconds)
      ? Date.now() + seconds * 1000
      : Infinity
  }

  schedule (delay) {
    window.clearTimeout(this.timer)
    this.timer = window.setTimeout(() => this.tick(), delay)
  }

  tick () {
    const now = Date.now()
    const idleLeft = this.deadline() - now
    const limitLeft = this.limit - now
    const left = Math.min(idleLeft, limitLeft)
    if (left <= 0) {
      window.location.assign(this.timedOutUrl)
      return
    }
    if (left > this.warning) {
      this.close()
      this.schedule(Math.min(left - this.warning, 1000 * 30))
      return
    }
    if (limitLeft <= idleLeft) {
      const seconds = Math.ceil(limitLeft / 1000)
      const dismissed = this.dismissedAt !== null &&
        (seconds > 60 || this.dismissedAt <= 60)
      if (dismissed) this.close()
      else this.open('limit', limitLeft)
    } else {
      this.open('idle', idleLeft)
    }
    this.schedule(Math.min(1000, left))
  }

  show (mode) {
    if (this.mode === mode) return
    this.mode = mode
    for (const element of this.dialog.querySelectorAll('[data-timeout-idle]')) {
      element.hidden = mode !== 'idle'
    }
    for (const element of this.dialog.querySelectorAll('[data-timeout-limit]')) {
      element.hidden = mode !== 'limit'
    }
    const prefix = mode === 'limit' ? 'timeout-limit' : 'timeout-warning'
    this.dialog.setAttribute('aria-labelledby', `${prefix}-heading`)
    this.dialog.setAttribute('aria-describedby', `${prefix}-message`)
    this.lastAnnounced = null
  }

  open (mode, left) {
    const seconds = Math.ceil(left / 1000)
    const words = minutesAndSeconds(seconds)
    const changed = this.mode !== mode
    this.show(mode)
    for (const countdown of this.countdowns) countdown.textContent = words
    if (!this.dialog.open) {
      this.returnFocus = document.activeElement
      this.dialog.showModal()
    }
    if (changed || document.activeElement === document.body ||
        !this.dialog.contains(document.activeElement)) {
      const buttons = this.dialog.querySelectorAll('.govuk-button-group button')
      const first = Array.from(buttons).find((button) => !button.closest('[hidden]'))
      if (first) first.focus()
    }
    const every = seconds > 60 ? 60 : 15
    const bucket = Math.ceil(seconds / every)
    if (bucket !== this.lastAnnounced) {
      this.lastAnnounced = bucket
      this.announcer.textContent = mode === 'limit'
        ? `You have been signed in for the longest time allowed. You will be signed out in ${words}. Save your work now.`
        : `For your security, you will be signed out in ${words}.`
    }
  }

  dismiss () {
    this.dismissedAt = Math.ceil((this.limit - Date.now()) / 1000)
    this.close()
    this.tick()
  }

  close () {
    if (!this.dialog.open) return
    this.dialog.close()
    this.announcer.textContent = ''
    if (this.returnFocus && typeof this.returnFocus.focus === 'function') {
      this.returnFocus.focus()
    }
  }

  async stay () {
    const form = this.keepAliveForm
    try {
      const response = await window.fetch(form.action, {
        method: 'POST',
        body: new window.FormData(form),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      if (!response.ok) throw new Error(`keep-alive answered ${response.status}`)
      const answer = await response.json()
      if (answer.idle_seconds) this.idle = answer.idle_seconds * 1000
      if ('absolute_seconds_left' in answer) this.setLimit(answer.absolute_seconds_left)
    } catch {
      // The session may already have ended: the next page says so.
      window.location.assign(this.timedOutUrl)
      return
    }
    this.lastActivity = Date.now()
    writeShared(this.lastActivity)
    this.close()
    this.tick()
  }
}

export function initTimeoutWarning (root) {
  const dialog = root.querySelector('dialog[data-module="tandem-timeout-warning"]')
  if (!dialog || typeof dialog.showModal !== 'function') return null
  return new TimeoutWarning(dialog)
}
