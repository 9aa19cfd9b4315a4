import {describe, expect, it} from 'vitest'
import {compileNormalizers, NormalizerSpecError, parseInstant} from '../../src/parity/normalizers.js'

/** For each normalizer: values that must compare equal (legacy form, HubSpot form) and values that must not. */
const CASES: Array<{spec: string[]; equal: Array<[unknown, unknown]>; different: Array<[unknown, unknown]>}> = [
  {
    spec: ['trim'],
    equal: [
      ['a', '  a '],
      ['', ' '],
    ],
    different: [
      ['a', 'b'],
      ['a b', 'ab'],
    ],
  },
  {spec: ['lowercase'], equal: [['ab@x.com', 'AB@X.com']], different: [['ab', 'abc']]},
  {
    spec: ['trim', 'lowercase'],
    equal: [['user1@example.com', '  User1@Example.COM ']],
    different: [
      ['user1@example.com', 'user2@example.com'],
      ['', null],
    ],
  },
  {
    spec: ['truncate:3'],
    equal: [
      ['abc', 'abcdef'],
      ['ab', 'ab'],
      ['😀😀😀', '😀😀😀😀'],
    ],
    different: [
      ['abd', 'abcdef'],
      ['ab', 'abc'],
    ],
  },
  {
    spec: ['empty-as-null'],
    equal: [
      ['', null],
      ['  ', null],
      ['x', 'x'],
    ],
    different: [['x', null]],
  },
  {
    spec: ['decimal:2'],
    equal: [
      ['1250.00', '1250'],
      ['1250.50', '1250.5'],
      [null, ''],
      [null, null],
      ['0.10', 0.1],
    ],
    different: [
      ['1250.00', '1250.01'],
      [null, '0'],
    ],
  },
  {
    spec: ['datetime:s'],
    equal: [
      ['2025-07-07T14:03:11Z', '2025-07-07T14:03:11.120Z'],
      ['2025-07-07 09:03:11-05', '2025-07-07T14:03:11.999Z'],
      ['2025-07-07T14:03:11Z', '1751897000000'.replace('1751897000000', String(Date.parse('2025-07-07T14:03:11.500Z')))],
      [null, ''],
    ],
    different: [['2025-07-07T14:03:12Z', '2025-07-07T14:03:11.999Z']],
  },
  {spec: ['datetime:ms'], equal: [['2025-07-07T14:03:11.120Z', '2025-07-07T16:03:11.120+02:00']], different: [['2025-07-07T14:03:11.000Z', '2025-07-07T14:03:11.120Z']]},
  {
    spec: ['date:America/Chicago'],
    equal: [
      ['2025-07-07', '2025-07-08T03:30:00.000Z'],
      ['2025-07-07', '2025-07-07'],
    ],
    different: [['2025-07-08', '2025-07-08T03:30:00.000Z']],
  },
  {spec: ['date:UTC'], equal: [['2025-07-08', '2025-07-08T03:30:00.000Z']], different: [['2025-07-07', '2025-07-08T03:30:00.000Z']]},
  {
    spec: ['semicolon-set'],
    equal: [
      ['a;b;c', 'c;a;b'],
      ['a;b', 'b; a;;a'],
    ],
    different: [['a;b', 'a;b;c']],
  },
  {
    spec: ['tolerance:0.01'],
    equal: [
      ['10.00', '10.005'],
      ['10', '10.01'],
    ],
    different: [
      ['10', '10.02'],
      ['x', 'y'],
    ],
  },
  {
    spec: ['bool'],
    equal: [
      [true, 'true'],
      ['t', 'true'],
      [0, 'false'],
      ['f', 'false'],
    ],
    different: [[true, 'false']],
  },
  {
    spec: ['number'],
    equal: [
      ['1.50', '1.5'],
      [3, '3'],
    ],
    different: [['1.5', '1.51']],
  },
  {spec: ['json'], equal: [['{"a":1,"b":[1,2]}', {b: [1, 2], a: 1}]], different: [['{"a":1}', '{"a":2}']]},
]

describe('normalizers', () => {
  for (const c of CASES) {
    it(`${c.spec.join(', ')}: equal data compares equal (no false positives) and different data does not`, () => {
      const n = compileNormalizers(c.spec)
      for (const [a, b] of c.equal) expect(n.equal(n.normalize(a), n.normalize(b)), `${String(a)} vs ${String(b)}`).toBe(true)
      for (const [a, b] of c.different) expect(n.equal(n.normalize(a), n.normalize(b)), `${String(a)} vs ${String(b)}`).toBe(false)
    })
  }

  it('rejects unknown or malformed normalizers with a fix', () => {
    expect(() => compileNormalizers(['lowercsae'])).toThrow(/did you mean "lowercase"/)
    expect(() => compileNormalizers(['truncate'])).toThrow(/needs an argument/)
    expect(() => compileNormalizers(['truncate:-1'])).toThrow(NormalizerSpecError)
    expect(() => compileNormalizers(['datetime:us'])).toThrow(/datetime:s or datetime:ms/)
    expect(() => compileNormalizers(['date:Mars/Base'])).toThrow(/unknown time zone/)
  })

  it('parses ISO, PostgreSQL text and epoch milliseconds', () => {
    const t = Date.parse('2025-07-07T14:03:11.120Z')
    expect(parseInstant('2025-07-07T14:03:11.120Z')).toBe(t)
    expect(parseInstant('2025-07-07 09:03:11.12-05')).toBe(t)
    expect(parseInstant(String(t))).toBe(t)
    expect(Number.isNaN(parseInstant('yesterday'))).toBe(true)
  })
})
