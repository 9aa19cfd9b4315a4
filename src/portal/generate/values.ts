/** Value pools for realistic synthetic records, with the awkward cases real portals contain. */
import type {Rng} from '../prng.js'

/** [display name, ASCII slug for e-mail addresses] */
type Name = readonly [string, string]

export const FIRST_NAMES: readonly Name[] = [
  ['James', 'james'],
  ['Mary', 'mary'],
  ['Robert', 'robert'],
  ['Patricia', 'patricia'],
  ['John', 'john'],
  ['Jennifer', 'jennifer'],
  ['Michael', 'michael'],
  ['Linda', 'linda'],
  ['David', 'david'],
  ['Elizabeth', 'elizabeth'],
  ['William', 'william'],
  ['Barbara', 'barbara'],
  ['Carlos', 'carlos'],
  ['Aisha', 'aisha'],
  ['Wei', 'wei'],
  ['Priya', 'priya'],
  ['Olu', 'olu'],
  ['Hannah', 'hannah'],
  ['José', 'jose'],
  ['Zoë', 'zoe'],
  ['Łukasz', 'lukasz'],
  ['Søren', 'soren'],
  ['Renée', 'renee'],
  ['Chloé', 'chloe'],
  ['Ольга', 'olga'],
  ['Дмитрий', 'dmitry'],
  ['محمد', 'mohammed'],
  ['فاطمة', 'fatima'],
  ['美咲', 'misaki'],
  ['伟', 'wei'],
  ['Nguyễn', 'nguyen'],
  ['Siobhán', 'siobhan'],
  ['Ægir', 'aegir'],
  ['Ana María', 'anamaria'],
  ["O'Brien", 'obrien'],
  ['Emoji 😀', 'emoji'],
]

export const LAST_NAMES: readonly Name[] = [
  ['Smith', 'smith'],
  ['Johnson', 'johnson'],
  ['Williams', 'williams'],
  ['Brown', 'brown'],
  ['Jones', 'jones'],
  ['Garcia', 'garcia'],
  ['Miller', 'miller'],
  ['Davis', 'davis'],
  ['Rodriguez', 'rodriguez'],
  ['Martinez', 'martinez'],
  ['Hernandez', 'hernandez'],
  ['Lopez', 'lopez'],
  ['Müller', 'mueller'],
  ['Núñez', 'nunez'],
  ['Øvergård', 'overgard'],
  ['Kowalczyk', 'kowalczyk'],
  ['Dubois', 'dubois'],
  ['Ngata', 'ngata'],
  ["O'Connor", 'oconnor'],
  ['van der Berg', 'vanderberg'],
  ['Иванов', 'ivanov'],
  ['李', 'li'],
  ['佐藤', 'sato'],
  ['Al-Farsi', 'alfarsi'],
  ['Đặng', 'dang'],
  ['Smith-Jones', 'smithjones'],
  ['Ó Súilleabháin', 'osullivan'],
  ['Papadopoulos', 'papadopoulos'],
]

export const DOMAINS = ['example.com', 'acme.io', 'mail.example.org', 'globex.co.uk', 'initech.net', 'umbrella-corp.com', 'exämple.de']

export const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other']
export const DEAL_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']
export const PIPELINES = ['default', 'default', 'default', '87654321']
export const APPOINTMENT_STATUSES = ['SCHEDULED', 'COMPLETED', 'CANCELLED', 'NO_SHOW', 'RESCHEDULED']
export const REGIONS = ['Northeast', 'Southeast', 'Midwest', 'Southwest', 'West', 'Île-de-France', 'Baden-Württemberg', 'São Paulo']
export const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Wayne Enterprises', 'Søstrene Grene', 'Café Olé', '株式会社テスト', 'Ünïcödé GmbH']
export const PRODUCTS = ['Renewal', 'Expansion', 'New business', 'Upsell – Q3', 'Pilot', 'Enterprise licence', 'Support plan']
export const ENUM_OPTIONS = ['alpha', 'beta', 'gamma', 'delta']
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'naïve', 'café', 'über', '日本', 'emoji 🎉', 'tab\there', 'quote"d', 'back\\slash', '<b>bold</b>', '<script>alert(1)</script>', 'semi;colon']

/** A name longer than 100 characters (legacy columns cut at 100). */
export function longName(r: Rng): string {
  let s = r.pick(FIRST_NAMES)[0]
  while (s.length <= 110) s += '-' + r.pick(LAST_NAMES)[0]
  return s
}

/** A phone number in one of several real-world formats. */
export function phone(r: Rng): string {
  const n = String(r.range(1000000, 9999999))
  switch (r.int(4)) {
    case 0:
      return `+1 (555) ${n.slice(0, 3)}-${n.slice(3)}`
    case 1:
      return `555.${n.slice(0, 3)}.${n.slice(3)}`
    case 2:
      return `+44 20 ${n.slice(0, 4)} ${n.slice(4)}`
    default:
      return `+1555${n}`
  }
}

/** An amount with 0, 2 or many decimals, sometimes zero or negative. */
export function amount(r: Rng): string {
  const v = r.range(0, 250_000)
  switch (r.int(6)) {
    case 0:
      return String(v)
    case 1:
      return `${v}.${String(r.int(100)).padStart(2, '0')}`
    case 2:
      return `${v}.${String(r.range(1, 9))}`
    case 3:
      return `${v}.${String(r.range(100000000, 999999999))}${r.range(1, 9)}`
    case 4:
      return r.chance(0.5) ? '0' : `-${r.range(1, 999)}.5`
    default:
      return `${v}.${String(r.int(100)).padStart(2, '0')}`
  }
}

/** A short free-text value, sometimes with characters that need escaping. */
export function text(r: Rng): string {
  const n = r.range(1, 4)
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(r.pick(WORDS))
  return parts.join(' ')
}
