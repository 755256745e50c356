/**
 * Personal data in the CRM's public free text, as residents and clerks really write it: the
 * description (DESCR_TXT) and the resolution notes (RESOLUTION_TXT) that the public reads
 * through the `redact` rule. One request in SHARE of those with a caller gets one sentence
 * with one datum in one spelling (a form), so that the redactor is exercised where it matters
 * and the leak probes, which look for callers' values, catch it failing.
 *
 * The values are the request's own: its caller's phone, e-mail and name, its address. The
 * Social Security and card numbers are fictional (987-65-4320…4329 is reserved for examples;
 * the cards are the networks' test numbers).
 */
import { crmAddress, worksAddress } from './city.js';
import type { Random } from './random.js';
import type { Caller, SrCase } from './systems/crm-311.js';

export const PERSONAL_FORMS = [
  'phone with dots',
  'phone in parentheses and spaces',
  'phone with +1 and extension',
  'phone with x extension',
  'phone in full-width digits',
  'phone digit by digit',
  'e-mail with at and dot in words',
  'e-mail with (at) and (dot)',
  'e-mail with [at] and [dot]',
  'e-mail spaced around @ and dots',
  'e-mail in full-width letters',
  'house number in prose',
  'unit number',
  'name after a role',
  'name after a title',
  'SSN with spaces',
  'card number in groups',
] as const;
export type PersonalForm = (typeof PERSONAL_FORMS)[number];

export interface PlantedDatum {
  form: PersonalForm;
  /** The value itself: the caller's phone or e-mail as the CRM stores it, a name, an address, a number. */
  value: string;
  /** The value as the sentence spells it. */
  written: string;
  field: 'description' | 'resolution';
}

/** Of the requests with a caller (about 70 %), this share gets a datum: about 14 % of all requests. */
const SHARE = 0.2;

type Kind = 'phone' | 'email' | 'address' | 'unit' | 'name' | 'title' | 'ssn' | 'card';

interface Form {
  kind: Kind;
  /** The spelling of `value`. */
  write(value: string, random: Random): string;
}

const digits = (text: string): string => text.replace(/\D/g, '');
const phoneParts = (phone: string): [string, string, string] => {
  const d = digits(phone);
  return [d.slice(0, 3), d.slice(3, 6), d.slice(6, 10)];
};
/** ASCII '!'…'~' → their full-width forms U+FF01…U+FF5E. */
const fullWidth = (text: string): string => text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const spellEmail = (email: string, at: string, dot: string): string => {
  const [local = '', domain = ''] = email.split('@');
  return `${local}${at}${domain.split('.').join(dot)}`;
};

const FORMS: Record<PersonalForm, Form> = {
  'phone with dots': { kind: 'phone', write: (phone) => phoneParts(phone).join('.') },
  'phone in parentheses and spaces': { kind: 'phone', write: (phone) => { const [a, e, l] = phoneParts(phone); return `(${a}) ${e} ${l}`; } },
  'phone with +1 and extension': { kind: 'phone', write: (phone, random) => `+1 ${phoneParts(phone).join(' ')} ext. ${random.int(2, 99)}` },
  'phone with x extension': { kind: 'phone', write: (phone, random) => `${phoneParts(phone).join('-')} x${random.int(100, 999)}` },
  'phone in full-width digits': { kind: 'phone', write: (phone) => fullWidth(phoneParts(phone).join('-')) },
  'phone digit by digit': {
    kind: 'phone',
    write: (phone, random) => {
      const between = random.pick(['_', ' ']);
      return phoneParts(phone).map((part) => part.split('').join(between)).join(' ');
    },
  },
  'e-mail with at and dot in words': { kind: 'email', write: (email) => email.replace('@', ' at ').replace(/\./g, ' dot ') },
  'e-mail with (at) and (dot)': { kind: 'email', write: (email) => spellEmail(email, '(at)', '(dot)') },
  'e-mail with [at] and [dot]': { kind: 'email', write: (email) => spellEmail(email, ' [at] ', ' [dot] ') },
  'e-mail spaced around @ and dots': { kind: 'email', write: (email) => spellEmail(email, ' @ ', ' . ') },
  'e-mail in full-width letters': { kind: 'email', write: (email) => fullWidth(email) },
  'house number in prose': { kind: 'address', write: (address) => address },
  'unit number': { kind: 'unit', write: (unit, random) => `${random.pick(['apt', 'Apt.', 'apartment', 'unit', 'Unit'])} ${unit}` },
  'name after a role': { kind: 'name', write: (name) => name },
  'name after a title': { kind: 'title', write: (last, random) => `${random.pick(['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Mr', 'Ms'])} ${last}` },
  'SSN with spaces': { kind: 'ssn', write: (ssn) => ssn.split('-').join(' ') },
  'card number in groups': {
    kind: 'card',
    write: (card, random) => {
      const between = random.pick([' ', '-']);
      return card.length === 15 ? [card.slice(0, 4), card.slice(4, 10), card.slice(10)].join(between) : (card.match(/\d{4}/g) ?? []).join(between);
    },
  },
};

const TEST_CARDS = ['4111111111111111', '5555555555554444', '4012888888881881', '378282246310005', '6011111111111117'];

/** Sentences in a resident's words (the description) and a clerk's (the resolution); '{}' is the written value. */
const SENTENCES: Record<Kind, { description: readonly string[]; resolution: readonly string[] }> = {
  phone: {
    description: ['Please call me back at {}.', 'You can reach me at {} after 5 pm.', 'Text me at {} when the crew is on the way.', 'My number is {}, call anytime.'],
    resolution: ['Told the resident at {}.', 'Called the caller back at {}.', 'Left a voicemail at {}.'],
  },
  email: {
    description: ['Email me at {} with updates.', 'Please send the answer to {}.', 'Updates to {} please, I work nights.'],
    resolution: ['Confirmation sent to {}.', 'Resident notified by e-mail at {}.'],
  },
  address: {
    description: ['I live at {}, right next to it.', 'It is in front of {}.', 'Across the street from my house at {}.'],
    resolution: ['Crew met the resident at {}.', 'Inspected from the rear yard of {}.'],
  },
  unit: {
    description: ['I am in {}, the buzzer does not work.', 'Ring {} when you get here.'],
    resolution: ['Resident of {} let the inspector in.', 'Access through {} at the back.'],
  },
  name: {
    description: ['Submitted for my neighbor {}, who has no computer.', 'This is resident {}; it has happened before.', 'Neighbor {} saw it happen too.'],
    resolution: ['Caller {} said the problem is back.', 'Owner {} notified.', 'Spoke with tenant {} on site.', 'Landlord {} will make the repair.'],
  },
  title: {
    description: ['{} next door has the same problem.', 'I already told {} across the street.'],
    resolution: ['Called {} back to confirm the repair.', 'Spoke with {} on site.'],
  },
  ssn: {
    description: ['I put my social {} on the form by mistake, please delete it.'],
    resolution: ['Caller read out SSN {} on the phone; not recorded.'],
  },
  card: {
    description: ['I was charged twice on card {} for the pickup fee.', 'Paid the fee with card {}, please refund.'],
    resolution: ['Refund issued to card {}.'],
  },
};

/** The request's own value for a kind of datum, or null if it has none (a caller without an e-mail). */
function valueOf(kind: Kind, sr: SrCase, caller: Caller, random: Random): string | null {
  switch (kind) {
    case 'phone':
      return caller.phone;
    case 'email':
      return caller.email;
    case 'address':
      return random.chance(0.5) ? crmAddress(sr.address) : worksAddress(sr.address);
    case 'unit':
      return `${random.int(1, 4)}${random.pick(['A', 'B', 'C', 'D', 'E', 'F'])}`;
    case 'name':
      return `${caller.first} ${caller.last}`;
    case 'title':
      return caller.last;
    case 'ssn':
      return `987-65-432${random.int(0, 9)}`;
    case 'card':
      return random.pick(TEST_CARDS);
  }
}

/** Whether the caller has what the form spells: a caller without an e-mail address gives no e-mail form. */
function canGive(caller: Caller, form: PersonalForm): boolean {
  const { kind } = FORMS[form];
  return (kind !== 'phone' || caller.phone !== null) && (kind !== 'email' || caller.email !== null);
}

/**
 * A function that writes one personal datum into the description or resolution of SHARE of
 * the requests that have a caller, and leaves the others unchanged. The forms take turns, the
 * one planted longest ago first among those the caller can give, so that every form shows up
 * evenly even in a small demo. `random` is a stream of its own, so that planting leaves every
 * other generated value as it was.
 */
export function personalDataPlanter(random: Random): (sr: SrCase) => SrCase {
  const turns: PersonalForm[] = [...PERSONAL_FORMS];
  return (sr) => {
    const caller = sr.caller;
    if (caller === null || !random.chance(SHARE)) return sr;
    // Every caller can give the forms that need no phone or e-mail, so one is always found.
    const [form] = turns.splice(turns.findIndex((candidate) => canGive(caller, candidate)), 1) as [PersonalForm];
    turns.push(form);
    const { kind, write } = FORMS[form];
    const value = valueOf(kind, sr, caller, random)!;
    const written = write(value, random);
    const field = sr.resolution !== null && random.chance(0.5) ? 'resolution' : 'description';
    const sentence = random.pick(SENTENCES[kind][field]).replace('{}', written);
    const planted: PlantedDatum = { form, value, written, field };
    return field === 'resolution'
      ? { ...sr, resolution: `${sr.resolution} ${sentence}`, personalData: planted }
      : { ...sr, description: `${sr.description} ${sentence}`, personalData: planted };
  };
}
