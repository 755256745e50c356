import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FieldRule } from '../../src/config/mapping.js';
import { Secret } from '../../src/config/secret.js';
import { applyRule, hundredBlock, redactPersonalData, TransformError, type TransformContext } from '../../src/privacy/transforms.js';

const key = new Secret('test-pseudonym-key');
const context: TransformContext = { pseudonymKey: key };
const noKey: TransformContext = { pseudonymKey: undefined };
const apply = (rule: FieldRule, value: unknown) => applyRule(rule, value, context);

const everyRuleButHidden: FieldRule[] = [
  { kind: 'visible' },
  { kind: 'null' },
  { kind: 'mask', keepLast: 4 },
  { kind: 'pseudonymize' },
  { kind: 'hundredBlock' },
  { kind: 'round', decimals: 3 },
  { kind: 'snap', cell: 0.005 },
  { kind: 'truncate', unit: 'month' },
  { kind: 'redact' },
];

describe('null values', () => {
  it.each(everyRuleButHidden.map((rule) => [rule.kind, rule] as const))('%s keeps null null', (_kind, rule) => {
    expect(applyRule(rule, null, context)).toBeNull();
    expect(applyRule(rule, undefined, context)).toBeNull();
  });

  it('pseudonymize of null needs no key', () => {
    expect(applyRule({ kind: 'pseudonymize' }, null, noKey)).toBeNull();
  });
});

describe('visible, null and hidden', () => {
  it('visible returns the very value', () => {
    const when = new Date('2024-03-15T10:30:00Z');
    const location = { latitude: 41.8781, longitude: -87.6298 };
    expect(apply({ kind: 'visible' }, 'SR-24-00012345')).toBe('SR-24-00012345');
    expect(apply({ kind: 'visible' }, when)).toBe(when);
    expect(apply({ kind: 'visible' }, location)).toBe(location);
    expect(apply({ kind: 'visible' }, 0)).toBe(0);
    expect(apply({ kind: 'visible' }, false)).toBe(false);
  });

  it('null always gives null', () => {
    expect(apply({ kind: 'null' }, 'Dana Whitfield')).toBeNull();
    expect(apply({ kind: 'null' }, { latitude: 1, longitude: 2 })).toBeNull();
    expect(apply({ kind: 'null' }, 0)).toBeNull();
  });

  it('hidden throws, even for null: a hidden field must never reach a transform', () => {
    expect(() => apply({ kind: 'hidden' }, 'x')).toThrow(TransformError);
    expect(() => apply({ kind: 'hidden' }, null)).toThrow(/hidden/);
  });
});

describe('mask', () => {
  it('keeps the last N characters and preserves the length', () => {
    expect(apply({ kind: 'mask', keepLast: 4 }, '4111111111111111')).toBe('************1111');
    expect(apply({ kind: 'mask', keepLast: 2 }, 'SR-24-00012345')).toBe('************45');
    expect(apply({ kind: 'mask', keepLast: 4 }, 'ABCDE')).toBe('*BCDE');
  });

  it('never reveals a whole short value: N characters or fewer are all stars', () => {
    expect(apply({ kind: 'mask', keepLast: 4 }, 'ABCD')).toBe('****');
    expect(apply({ kind: 'mask', keepLast: 4 }, 'AB')).toBe('**');
    expect(apply({ kind: 'mask', keepLast: 4 }, '')).toBe('');
  });

  it('keepLast 0 masks everything', () => {
    expect(apply({ kind: 'mask', keepLast: 0 }, 'secret')).toBe('******');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(apply({ kind: 'mask', keepLast: 1 }, 'Zoë😀x')).toBe('****x');
    expect(apply({ kind: 'mask', keepLast: 2 }, 'Zoë😀')).toBe('**ë😀');
  });

  it('masks numbers and date-times in their text form', () => {
    expect(apply({ kind: 'mask', keepLast: 2 }, 62563)).toBe('***63');
    expect(apply({ kind: 'mask', keepLast: 4 }, new Date('2024-03-15T10:30:00.000Z'))).toBe('********************000Z');
  });

  it('refuses objects and bad counts instead of passing the value on', () => {
    expect(() => apply({ kind: 'mask', keepLast: 2 }, { latitude: 1, longitude: 2 })).toThrow(TransformError);
    expect(() => apply({ kind: 'mask', keepLast: -1 }, 'abc')).toThrow(/keepLast/);
    expect(() => apply({ kind: 'mask', keepLast: 1.5 }, 'abc')).toThrow(/keepLast/);
  });
});

describe('pseudonymize', () => {
  const expected = (text: string, secret = 'test-pseudonym-key') =>
    `p_${createHmac('sha256', secret).update(text).digest('base64url').slice(0, 22)}`;

  it('is p_ + the first 22 base64url characters of HMAC-SHA256(key, value)', () => {
    const result = apply({ kind: 'pseudonymize' }, 'jdoe@example.com');
    expect(result).toBe(expected('jdoe@example.com'));
    expect(result).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
  });

  it('is stable for one key, differs between values and between keys', () => {
    const a = apply({ kind: 'pseudonymize' }, 'CREW-7');
    expect(apply({ kind: 'pseudonymize' }, 'CREW-7')).toBe(a);
    expect(apply({ kind: 'pseudonymize' }, 'CREW-8')).not.toBe(a);
    expect(applyRule({ kind: 'pseudonymize' }, 'CREW-7', { pseudonymKey: new Secret('another key') })).not.toBe(a);
  });

  it('hashes String(value) for numbers and booleans, so 42 and "42" agree', () => {
    expect(apply({ kind: 'pseudonymize' }, 42)).toBe(expected('42'));
    expect(apply({ kind: 'pseudonymize' }, 42)).toBe(apply({ kind: 'pseudonymize' }, '42'));
    expect(apply({ kind: 'pseudonymize' }, true)).toBe(expected('true'));
  });

  it("hashes a date-time's ISO form, whatever the host's time zone", () => {
    expect(apply({ kind: 'pseudonymize' }, new Date('2024-03-15T10:30:00Z'))).toBe(expected('2024-03-15T10:30:00.000Z'));
  });

  it('hashes distinct objects to distinct pseudonyms', () => {
    const one = apply({ kind: 'pseudonymize' }, { latitude: 41.1, longitude: -87.1 });
    expect(one).toBe(apply({ kind: 'pseudonymize' }, { longitude: -87.1, latitude: 41.1 }));
    expect(one).not.toBe(apply({ kind: 'pseudonymize' }, { latitude: 41.2, longitude: -87.1 }));
  });

  it('without a key throws an error naming CIVICGRAPH_PSEUDONYM_KEY', () => {
    expect(() => applyRule({ kind: 'pseudonymize' }, 'x', noKey)).toThrow(/CIVICGRAPH_PSEUDONYM_KEY/);
    expect(() => applyRule({ kind: 'pseudonymize' }, 'x', { pseudonymKey: new Secret('') })).toThrow(/CIVICGRAPH_PSEUDONYM_KEY/);
  });

  it('never puts the value in the error', () => {
    expect(() => applyRule({ kind: 'pseudonymize' }, 'jdoe@example.com', noKey)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('jdoe') }));
  });
});

describe('hundredBlock', () => {
  it.each([
    ['1163 W 24TH ST', '11XX W 24TH ST'],
    ['5 W RIVER RD', '0XX W RIVER RD'],
    ['99 MAIN ST', '0XX MAIN ST'],
    ['100 MAIN ST', '1XX MAIN ST'],
    ['12345 N MAIN ST', '123XX N MAIN ST'],
    ['0042 ELM ST', '0XX ELM ST'],
    ['1163A W 24TH ST', '11XX W 24TH ST'],
    ['1163-1167 W 24TH ST', '11XX W 24TH ST'],
    ['1163 1/2 W 24TH ST', '11XX W 24TH ST'],
    ['1163 W 24TH ST APT 3', '11XX W 24TH ST'],
    ['1163 W 24TH ST #3B', '11XX W 24TH ST'],
    ['1163 West 24th Street, Apt 2', '11XX West 24th Street'],
    ['400 S STATE ST STE 200', '4XX S STATE ST'],
    ['1163 W 24TH ST 62563', '11XX W 24TH ST'],
    ['1163 BROADWAY', '11XX BROADWAY'],
    ['1200 US HWY 41', '12XX US HWY 41'],
    ['  1163   W 24TH ST  ', '11XX W 24TH ST'],
  ])('%s → %s', (address, block) => {
    expect(apply({ kind: 'hundredBlock' }, address)).toBe(block);
  });

  it('gives only the street of an address without a house number', () => {
    expect(hundredBlock('W 24TH ST')).toBe('W 24TH ST');
    expect(hundredBlock('5TH AVE')).toBe('5TH AVE');
    expect(hundredBlock('W 24TH ST APT 3')).toBe('W 24TH ST');
    expect(hundredBlock('W 24TH ST & S MAIN ST')).toBe('W 24TH ST & S MAIN ST');
    expect(hundredBlock('W 24TH ST AND S MAIN ST')).toBe('W 24TH ST & S MAIN ST');
  });

  it('gives null, never the raw value, when no street can be told apart', () => {
    for (const address of ['BEHIND 1163 W 24TH ST', 'JOHN SMITH', 'PO BOX 1163', '1163', 'RIVERTON CITY HALL', 'W 24TH ST & 1163 S MAIN ST', '']) {
      expect(hundredBlock(address), address).toBeNull();
    }
  });

  it('refuses values that are not text', () => {
    expect(() => apply({ kind: 'hundredBlock' }, 1163)).toThrow(TransformError);
  });
});

describe('round', () => {
  it('rounds a number to D decimals', () => {
    expect(apply({ kind: 'round', decimals: 3 }, 41.878114)).toBe(41.878);
    expect(apply({ kind: 'round', decimals: 3 }, -87.629798)).toBe(-87.63);
    expect(apply({ kind: 'round', decimals: 0 }, 41.6)).toBe(42);
    expect(apply({ kind: 'round', decimals: 2 }, 1200)).toBe(1200);
  });

  it('rounds each numeric member of a location', () => {
    expect(apply({ kind: 'round', decimals: 2 }, { latitude: 41.878114, longitude: -87.629798 })).toEqual({ latitude: 41.88, longitude: -87.63 });
  });

  it('makes a member that is not a number null rather than pass it on', () => {
    expect(apply({ kind: 'round', decimals: 2 }, { latitude: 41.878114, longitude: null, label: '1163 W 24TH ST' })).toEqual({
      latitude: 41.88,
      longitude: null,
      label: null,
    });
  });

  it('refuses text, dates, non-finite numbers and bad decimals', () => {
    expect(() => apply({ kind: 'round', decimals: 2 }, '41.8781')).toThrow(TransformError);
    expect(() => apply({ kind: 'round', decimals: 2 }, new Date())).toThrow(TransformError);
    expect(() => apply({ kind: 'round', decimals: 2 }, Number.NaN)).toThrow(TransformError);
    expect(() => apply({ kind: 'round', decimals: -1 }, 1)).toThrow(/decimals/);
    expect(() => apply({ kind: 'round', decimals: 1.5 }, 1)).toThrow(/decimals/);
  });
});

describe('snap', () => {
  it('moves each coordinate to the centre of its grid cell', () => {
    expect(apply({ kind: 'snap', cell: 0.005 }, { latitude: 41.8781, longitude: -87.6298 })).toEqual({ latitude: 41.8775, longitude: -87.6275 });
    expect(apply({ kind: 'snap', cell: 0.01 }, 41.8781)).toBe(41.875);
    expect(apply({ kind: 'snap', cell: 1 }, -0.2)).toBe(-0.5);
  });

  it('gives every point of a cell the same centre, without float noise', () => {
    const centres = [41.8751, 41.8760, 41.8799].map((latitude) => apply({ kind: 'snap', cell: 0.005 }, latitude));
    expect(new Set(centres)).toEqual(new Set([41.8775]));
    expect(apply({ kind: 'snap', cell: 0.1 }, 0.3)).toBe(0.35);
    expect(String(apply({ kind: 'snap', cell: 0.001 }, 41.8781))).toBe('41.8785');
  });

  it('refuses a cell that is not a positive number', () => {
    expect(() => apply({ kind: 'snap', cell: 0 }, 1)).toThrow(/cell/);
    expect(() => apply({ kind: 'snap', cell: -0.01 }, 1)).toThrow(/cell/);
    expect(() => apply({ kind: 'snap', cell: 0.01 }, 'north')).toThrow(TransformError);
  });
});

describe('truncate', () => {
  const when = new Date('2024-03-15T22:45:12.345Z');

  it('cuts a date-time to the start of its day, month or year in UTC', () => {
    expect(apply({ kind: 'truncate', unit: 'day' }, when)).toEqual(new Date('2024-03-15T00:00:00.000Z'));
    expect(apply({ kind: 'truncate', unit: 'month' }, when)).toEqual(new Date('2024-03-01T00:00:00.000Z'));
    expect(apply({ kind: 'truncate', unit: 'year' }, when)).toEqual(new Date('2024-01-01T00:00:00.000Z'));
  });

  it('returns a new Date and leaves the original alone', () => {
    const result = apply({ kind: 'truncate', unit: 'day' }, when);
    expect(result).toBeInstanceOf(Date);
    expect(result).not.toBe(when);
    expect(when.toISOString()).toBe('2024-03-15T22:45:12.345Z');
  });

  it('cuts a YYYY-MM-DD date to a YYYY-MM-DD date', () => {
    expect(apply({ kind: 'truncate', unit: 'day' }, '2024-03-15')).toBe('2024-03-15');
    expect(apply({ kind: 'truncate', unit: 'month' }, '2024-03-15')).toBe('2024-03-01');
    expect(apply({ kind: 'truncate', unit: 'year' }, '2024-03-15')).toBe('2024-01-01');
  });

  it('handles years before 100 and leap days', () => {
    const early = new Date(0);
    early.setUTCFullYear(42, 6, 9);
    expect((apply({ kind: 'truncate', unit: 'year' }, early) as Date).getUTCFullYear()).toBe(42);
    expect(apply({ kind: 'truncate', unit: 'day' }, new Date('2024-02-29T12:00:00Z'))).toEqual(new Date('2024-02-29T00:00:00Z'));
  });

  it('refuses other values', () => {
    expect(() => apply({ kind: 'truncate', unit: 'day' }, '15/03/2024')).toThrow(TransformError);
    expect(() => apply({ kind: 'truncate', unit: 'day' }, new Date('not a date'))).toThrow(TransformError);
    expect(() => apply({ kind: 'truncate', unit: 'day' }, 20240315)).toThrow(TransformError);
  });
});

describe('redact', () => {
  const redact = (text: string) => apply({ kind: 'redact' }, text);

  it.each([
    ['Caller at (317) 555-0142 says the light is out.', 'Caller at [phone] says the light is out.'],
    ['email jdoe@example.com', 'email [email]'],
    ['Resident asked for a callback at 217-555-0107.', 'Resident asked for a callback at [phone].'],
    ['Property manager maria.lopez@example.org, phone (618) 555-0199.', 'Property manager [email], phone [phone].'],
    ['Reach me at 317.555.0142', 'Reach me at [phone]'],
    ['Call +1 317 555 0142 today', 'Call [phone] today'],
    ['Call 1-317-555-0142', 'Call [phone]'],
    ['cell 3175550142', 'cell [phone]'],
    ['phone:(217)555-0142.', 'phone:[phone].'],
    ['Call 217 555 0142 after 5 pm', 'Call [phone] after 5 pm'],
    ['London office +44 20 7946 0958', 'London office [phone]'],
    ['Paris: +33 1 42 68 53 00', 'Paris: [phone]'],
    ['local number 555-0142 only', 'local number [phone] only'],
    ['SSN 123-45-6789 given by caller', 'SSN [ssn] given by caller'],
    ['ssn: 123456789', 'ssn: [ssn]'],
    ['card 4111 1111 1111 1111 declined', 'card [number] declined'],
    ['card 4111-1111-1111-1111', 'card [number]'],
    ['card 4111111111111111', 'card [number]'],
    ['amex 3782 822463 10005', 'amex [number]'],
    ['account 1234567890123456789', 'account [number]'],
    ['Texted from 3175550142@txt.example.net', 'Texted from [email]'],
    ['Mail J.Doe+311@Mail.Example.ORG, or call', 'Mail [email], or call'],
    ['Two callers: 217-555-0101 and (309) 555-0102', 'Two callers: [phone] and [phone]'],
    // Spellings the leak probes found getting through.
    ['office 217-555-0178x12 after 9', 'office [phone] after 9'],
    ['office 217-555-0178 ext. 12', 'office [phone]'],
    ['call 217\u2013555\u20130179', 'call [phone]'],
    ['call 217\u2011555\u20110180', 'call [phone]'],
    ['call 217\u00a0555\u00a00180', 'call [phone]'],
    ['call 217 - 555 - 0181', 'call [phone]'],
    ['call 217/555-0182', 'call [phone]'],
    ['write to jdoe at example dot com', 'write to [email]'],
    ['write to jdoe [at] example (dot) org please', 'write to [email] please'],
  ])('%s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it.each([
    ['reach me at 555.867.5309', 'reach me at [phone]'],
    ['reach me at (555) 867 5309 after 6', 'reach me at [phone] after 6'],
    ['call +1 555 867 5309 ext. 22 tomorrow', 'call [phone] tomorrow'],
    ['office 555-867-5309 x104.', 'office [phone].'],
    ['call 217\u2212555\u22120142', 'call [phone]'],
  ])('phone numbers as residents write them: %s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it.each([
    ['write to jane dot doe at example dot com', 'write to [email]'],
    ['write to jane(at)example(dot)com today', 'write to [email] today'],
    ['write to jane [at] example [dot] com', 'write to [email]'],
    ['write to name @ example . com please', 'write to [email] please'],
    ['write to jane.doe @example.org', 'write to [email]'],
    ['write to JANE AT EXAMPLE DOT COM', 'write to [email]'],
    ['write to jane at example.com', 'write to [email]'],
  ])('e-mail addresses spelled out: %s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it.each([
    ['Pothole in front of 1163 W 24TH ST, Riverton 62563.', 'Pothole in front of 11XX W 24TH ST, Riverton 62563.'],
    ['She lives at 1163 W 24th St and the light is out.', 'She lives at 11XX W 24th St and the light is out.'],
    ['Car parked in front of 4410 North Kedzie Avenue for weeks.', 'Car parked in front of 44XX North Kedzie Avenue for weeks.'],
    ['at 5 Oak St.', 'at 0XX Oak St.'],
    ['at 1163A W 24th St', 'at 11XX W 24th St'],
    ['at 1163 1/2 W 24th St', 'at 11XX W 24th St'],
    ['I am in apt 3B, buzzer broken', 'I am in apt [unit], buzzer broken'],
    ['Apt. #12 has no heat', 'Apt. #[unit] has no heat'],
    ['at 1163 W 24th St #2', 'at 11XX W 24th St #[unit]'],
    ['Leak at 4410 S ASHLAND AVE UNIT B', 'Leak at 44XX S ASHLAND AVE UNIT [unit]'],
  ])('house and unit numbers in prose: %s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it.each([
    ['caller John Smith said it is back', 'caller [name] said it is back'],
    ['Called Mrs. Garcia back.', 'Called Mrs. [name] back.'],
    ['Spoke with tenant Maria Lopez in apt 2', 'Spoke with tenant [name] in apt [unit]'],
    ['Owner: J. Smith notified', 'Owner: [name] notified'],
    ['My neighbor Mr O\'Brien saw it', 'My neighbor Mr [name] saw it'],
    ['Resident Bartholomew Fennimore-Oyelaran reports noise', 'Resident [name] reports noise'],
    ['the caller is Dr. McKinley', 'the caller is Dr. [name]'],
    ['Landlord Ms. Nguyen was told', 'Landlord Ms. [name] was told'],
  ])('names after a cue word: %s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it.each([
    ['call \uff15\uff15\uff15\uff0d\uff18\uff16\uff17\uff0d\uff15\uff13\uff10\uff19', 'call [phone]'],
    ['mail \uff4a\uff41\uff4e\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d now', 'mail [email] now'],
    ['call 5_5_5 8_6_7 5_3_0_9', 'call [number]'],
    ['call 5 5 5 8 6 7 5 3 0 9 soon', 'call [number] soon'],
    ['call 217\u200b555\u200b0142', 'call [phone]'],
    ['SSN 123 45 6789 on file', 'SSN [ssn] on file'],
    ['my social is 123.45.6789', 'my social is [ssn]'],
    ['card 4111.1111.1111.1111', 'card [number]'],
    ['card \uff14\uff11\uff11\uff11 1111 1111 1111', 'card [number]'],
  ])('look-alikes and digits apart: %s', (text, redacted) => {
    expect(redact(text)).toBe(redacted);
  });

  it('never returns the original spelling of a look-alike it redacted', () => {
    const redacted = redact('\uff11\uff12\uff13 \uff14\uff15 \uff16\uff17\uff18\uff19 \uff4a\uff41\uff4e\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d');
    expect(redacted).toBe('[ssn] [email]');
  });

  it.each([
    'Inspected 2024-03-05 at 10:30.',
    'Duplicate of SR-24-00000563.',
    'Estimated cost $1,200.',
    'Requests on 11XX W 24TH ST since March.',
    '3 potholes on the block',
    'Truck parked on Route 66 near the bridge.',
    'Detour via Route 66 North Ave.',
    'Spoke to the resident Monday morning.',
    'caller said the light is out; resident reports it again',
    'Neighbor reports a collapsing porch.',
    'Private property: owner notified to remove.',
    "Cancelled at the resident's request.",
    'Caller was advised of the service level.',
    'Pothole at 24th St and Kedzie Ave.',
    'Light out on Hickory Dr Apt building side.',
    '2 bags by the alley, 3 cars in the way',
    'Crew met at the site. Com Ed was called.',
    'We looked at it. Us too.',
    'Cart was out by 6 am at the curb.',
    'Water at the corner of 24th Pl and State St for 3 days.',
  ])('leaves ordinary 311 phrases alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it.each([
    'Reported again in 2024; first report 2019.',
    'Duplicate of SR-24-00012345.',
    'See permit BLD2024-01234 and work order 24-563.',
    'Estimated repair cost $1,200 (was $12,500.00).',
    'ZIP 62563-1234',
    'Inspected 2024-03-15 at 10:30.',
    'Location 41.8781, -87.6298',
    'Pi is 3.1415926535 and e is 2.7182818284',
    'Case SR-24-3175550142 reopened',
    'Blocks 1100-1199 of W 24TH ST',
    'Crew 7 replaced 12 lamps on 3 poles',
    'Ticket #4521, 2 bags, 15 minutes',
    'Between 9:00-17:00, Mon-Fri',
  ])('leaves ordinary numbers alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('is also exported on its own', () => {
    expect(redactPersonalData('jdoe@example.com / 317-555-0142')).toBe('[email] / [phone]');
  });

  it('refuses values that are not text', () => {
    expect(() => redact(3175550142 as unknown as string)).toThrow(TransformError);
  });
});
