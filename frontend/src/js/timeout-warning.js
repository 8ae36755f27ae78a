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
    this.countdown = dialog.querySelector('[data-timeout-countdown]')
    this.announcer = dialog.querySelector('[data-timeout-announcer]')
    this.timedOutUrl = dialog.dataset.timedOutUrl
    this.returnFocus = null
    this.timer = null
    this.lastAnnounced = null
    this.lastActivity = Date.now()
    writeShared(this.lastActivity)

    this.keepAliveForm.addEventListener('submit', (event) => {
      event.preventDefault()
      this.stay()
    })
    // Escape means "stay signed in" (the pattern's advice), not "ignore".
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault()
      this.stay()
    })
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) this.tick()
    })
    this.schedule(1000)
  }

  deadline () {
    return Math.max(this.lastActivity, readShared()) + this.idle
  }

  schedule (delay) {
    window.clearTimeout(this.timer)
    this.timer = window.setTimeout(() => this.tick(), delay)
  }

  tick () {
    const left = this.deadline() - Date.now()
    if (left <= 0) {
      window.location.assign(this.timedOutUrl)
      return
    }
    if (left <= this.warning) {
      this.open(left)
      this.schedule(Math.min(1000, left))
    } else {
      this.close()
      this.schedule(Math.min(left - this.warning, 1000 * 30))
    }
  }

  open (left) {
    const seconds = Math.ceil(left / 1000)
    const words = minutesAndSeconds(seconds)
    this.countdown.textContent = words
    if (!this.dialog.open) {
      this.returnFocus = document.activeElement
      this.dialog.showModal()
      this.dialog.querySelector('button').focus()
      this.lastAnnounced = null
    }
    const every = seconds > 60 ? 60 : 15
    const bucket = Math.ceil(seconds / every)
    if (bucket !== this.lastAnnounced) {
      this.lastAnnounced = bucket
      this.announcer.textContent = `For your security, you will be signed out in ${words}.`
    }
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
