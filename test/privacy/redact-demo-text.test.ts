/**
 * The `redact` rule over the demo's whole public free text (the CRM's description and
 * resolution, which the public reads redacted): every personal datum the generator wrote into
 * it (src/demo/personal-text.ts) must be unreadable after redaction, counted per form, and
 * text with nothing planted must come out unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../src/demo/generate.js';
import { PERSONAL_FORMS, type PersonalForm, type PlantedDatum } from '../../src/demo/personal-text.js';
import type { SrCase } from '../../src/demo/systems/crm-311.js';
import { redactPersonalData } from '../../src/privacy/transforms.js';
import { TEST_SCALE } from '../support/demo.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const digitsOf = (text: string): string => text.normalize('NFKC').replace(/\D/g, '');
const wordsOf = (text: string): Set<string> => new Set(text.normalize('NFKC').split(/[^\p{L}\p{N}'’-]+/u));

/**
 * Whether the datum can still be read in the redacted text: for a number, its last seven digits
 * in any spelling (whatever separates them); for an e-mail address, a word of its local part;
 * for a name, any of its words; for an address, the house number before its street; for a
 * unit, its number.
 */
function readable({ form, value, written }: PlantedDatum, redacted: string): boolean {
  const text = redacted.normalize('NFKC');
  if (form.startsWith('phone') || form.startsWith('SSN') || form.startsWith('card')) {
    return new RegExp(digitsOf(value).slice(-7).split('').join('\\D{0,3}')).test(text);
  }
  const words = wordsOf(text);
  if (form.startsWith('e-mail')) {
    const local = value.split('@')[0]!.toLowerCase();
    const lowered = new Set([...words].map((word) => word.toLowerCase()));
    return [local, ...local.split(/[._-]/)].some((part) => part.length >= 3 && lowered.has(part));
  }
  if (form.startsWith('name')) return value.split(' ').some((part) => words.has(part));
  if (form === 'house number in prose') {
    const [houseNumber, next] = written.split(' ');
    return new RegExp(`(?<!\\d)${houseNumber}\\s+${escape(next!)}\\b`).test(text);
  }
  return words.has(value);
}

interface Count {
  planted: number;
  readable: number;
}

function measure(requests: readonly SrCase[]): { counts: Map<PersonalForm, Count>; leaks: string[]; changedWithoutData: string[] } {
  const counts = new Map<PersonalForm, Count>(PERSONAL_FORMS.map((form) => [form, { planted: 0, readable: 0 }]));
  const leaks: string[] = [];
  const changedWithoutData: string[] = [];
  for (const sr of requests) {
    const datum = sr.personalData;
    for (const [field, text] of [['description', sr.description], ['resolution', sr.resolution]] as const) {
      if (text === null) continue;
      const redacted = redactPersonalData(text);
      if (datum?.field !== field) {
        if (redacted !== text) changedWithoutData.push(`${sr.caseNo} ${field}: ${JSON.stringify(text)} → ${JSON.stringify(redacted)}`);
        continue;
      }
      const count = counts.get(datum.form)!;
      count.planted++;
      if (readable(datum, redacted)) {
        count.readable++;
        leaks.push(`${sr.caseNo} ${datum.form}: ${JSON.stringify(redacted)}`);
      }
    }
  }
  return { counts, leaks, changedWithoutData };
}

describe.each([
  ['the test scale', TEST_SCALE],
  ['the full demo', 1],
])('the redacted public free text of the demo at %s', (_label, scale) => {
  let result: ReturnType<typeof measure>;
  beforeAll(() => {
    result = measure(generateDemo(scale).serviceRequests);
  });

  it('holds no planted personal datum in a readable form, in any of the forms planted', () => {
    const table = [...result.counts].map(([form, { planted, readable: left }]) => `${form.padEnd(34)} planted ${String(planted).padStart(5)}  readable ${left}`);
    console.info(`redaction of the demo's public text at scale ${scale}:\n${table.join('\n')}`);
    for (const [form, { planted }] of result.counts) expect(planted, form).toBeGreaterThan(0);
    expect(result.leaks).toEqual([]);
  });

  it('leaves the text of requests with nothing planted exactly as it was', () => {
    expect(result.changedWithoutData).toEqual([]);
  });
});
