/** Database URLs in messages, reports and status output: never with their password. */

/** The URL with any password replaced by `***` (safe to print and to put in a report). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@')
  }
}
