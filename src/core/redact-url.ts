/** URLs with credentials (postgres://, redis://) made safe to print: the password never shows. */

/**
 * The URL with any password replaced by `***`. A string that does not parse as a URL (a typo such
 * as `postgres://u:pw@[::1/db`) loses everything between `://` and its last `@`, so a password
 * holding `@`, `/` or `:` cannot leak through a partial match either.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    const scheme = url.indexOf('://')
    const at = url.lastIndexOf('@')
    if (scheme < 0 || at < scheme) return url
    const user = url.slice(scheme + 3, at).split(':')[0]
    return `${url.slice(0, scheme + 3)}${url.slice(scheme + 3, at).includes(':') ? `${user}:***` : user}${url.slice(at)}`
  }
}
