/**
 * Deterministic redaction of personal values for `crmsync portal record --redact`. Each value is
 * replaced by a fake derived from a keyed hash (HMAC-SHA256 with the salt) of the value, so the
 * same input gives the same fake everywhere in a portal and across runs with the same salt (joins
 * still hold), and the fake keeps the kind of the value: emails stay emails, phones keep their
 * punctuation with other digits, names become other names.
 */
import {createHmac} from 'node:crypto'
import type {CrmRecord, PropertyDefinition} from '../core/records.js'

export type RedactKind = 'email' | 'phone' | 'firstname' | 'lastname' | 'fullname' | 'number' | 'text'

const FIRST = [
  'Ada',
  'Bea',
  'Cyrus',
  'Dana',
  'Eli',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kai',
  'Lena',
  'Milo',
  'Nia',
  'Otto',
  'Pia',
  'Quinn',
  'Rosa',
  'Sol',
  'Tess',
  'Uma',
  'Vik',
  'Wren',
  'Xena',
  'Yuri',
  'Zoe',
]
const LAST = [
  'Abbott',
  'Brandt',
  'Castillo',
  'Dorsey',
  'Ekwueme',
  'Fischer',
  'Garza',
  'Holm',
  'Ibarra',
  'Jansen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quist',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ulloa',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zeller',
]

/** Which kind of fake a property gets, from its name and (when known) its HubSpot type. */
export function kindOf(name: string, def?: Pick<PropertyDefinition, 'type' | 'fieldType'>): RedactKind {
  const n = name.toLowerCase()
  if (n.includes('email')) return 'email'
  if (def?.type === 'phone_number' || def?.fieldType === 'phonenumber' || /phone|mobile|fax/.test(n)) return 'phone'
  if (/first_?name/.test(n)) return 'firstname'
  if (/last_?name|surname/.test(n)) return 'lastname'
  if (/name/.test(n)) return 'fullname'
  if (def?.type === 'number') return 'number'
  return 'text'
}

/** Replaces values with deterministic fakes; one instance per run (holds only the salt). */
export class Redactor {
  readonly properties: ReadonlySet<string>

  constructor(
    properties: Iterable<string>,
    private readonly salt: string,
  ) {
    this.properties = new Set(properties)
  }

  /** The fake for `value` of the given kind. null and '' are kept (they carry no personal data). */
  fake(value: string | null, kind: RedactKind): string | null {
    if (value === null || value.trim() === '') return value
    switch (kind) {
      case 'email':
        // several addresses in one value (HubSpot uses ';' for additional emails) keep their count
        return value
          .split(';')
          .map((v) => (v.trim() === '' ? v : `user.${this.hex('email', v.trim().toLowerCase(), 12)}@example.com`))
          .join(';')
      case 'phone':
        return this.digits('phone', value)
      case 'firstname':
        return pick(FIRST, this.hex('first', value, 8))
      case 'lastname':
        return pick(LAST, this.hex('last', value, 8))
      case 'fullname':
        return `${pick(FIRST, this.hex('full1', value, 8))} ${pick(LAST, this.hex('full2', value, 8))}`
      case 'number':
        return /^-?\d+(\.\d+)?$/.test(value) ? this.digits('number', value).replace(/^(-?)0+(?=\d)/, '$11') : `x${this.hex('text', value, 16)}`
      case 'text':
        return `redacted-${this.hex('text', value, 16)}`
    }
  }

  /**
   * A redacted copy of a record: every listed property it has gets a fake, and any other string
   * property of the same record that contains one of the original values gets it replaced too
   * (so an email copied into another field does not leak).
   */
  record(r: CrmRecord, defs: ReadonlyMap<string, PropertyDefinition>): CrmRecord {
    if (this.properties.size === 0) return r
    const props: Record<string, string | null> = {...r.properties}
    const replaced: Array<[string, string]> = []
    for (const name of this.properties) {
      if (!Object.prototype.hasOwnProperty.call(props, name)) continue
      const v = props[name]
      const f = this.fake(v, kindOf(name, defs.get(name)))
      props[name] = f
      // short values ("a", "42") would rewrite unrelated text: only scrub copies of values of 5+ characters
      if (v !== null && f !== null && v.trim().length >= 5) replaced.push([v, f])
    }
    if (replaced.length > 0) {
      replaced.sort((a, b) => b[0].length - a[0].length)
      for (const [k, v] of Object.entries(props)) {
        if (this.properties.has(k) || v === null) continue
        let out = v
        for (const [orig, fake] of replaced) if (out.includes(orig)) out = out.split(orig).join(fake)
        props[k] = out
      }
    }
    return {...r, properties: props}
  }

  private hex(domain: string, value: string, len: number): string {
    return createHmac('sha256', this.salt).update(`${domain}\u0000${value}`).digest('hex').slice(0, len)
  }

  /** Same punctuation, digits replaced by a keyed stream of digits. */
  private digits(domain: string, value: string): string {
    const stream = createHmac('sha256', this.salt).update(`${domain}\u0000${value}`).digest()
    let i = 0
    return value.replace(/\d/g, () => String(stream[i++ % stream.length] % 10))
  }
}

function pick(list: readonly string[], hex: string): string {
  return list[Number.parseInt(hex, 16) % list.length]
}

/** Parses `--redact email,phone,...`: lowercase-safe property names, no duplicates. */
export function parseRedactList(spec: string | undefined): string[] {
  if (spec === undefined) return []
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  for (const n of names) if (!/^[A-Za-z0-9_.-]{1,200}$/.test(n)) throw new TypeError(`"${n}" is not a property name`)
  return [...new Set(names)]
}
