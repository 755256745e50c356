/**
 * Word lists and a tiny template filler for the demo systems' free text and synthetic
 * people. Every name, phone number and e-mail address is fictional: phones are in the
 * 555-0100…555-0199 range reserved for fiction, e-mails at example.com / example.org.
 */
import type { Random } from './random.js';

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Kenneth', 'Donna', 'Joshua', 'Michelle',
  'Kevin', 'Carol', 'Brian', 'Amanda', 'George', 'Melissa', 'Luis', 'Deborah', 'Carlos', 'Stephanie',
  'Jose', 'Rebecca', 'Darnell', 'Latoya', 'Hiroshi', 'Mei', 'Tariq', 'Fatima', 'Andrzej', 'Agnieszka',
  'Olumide', 'Chioma', 'Diego', 'Lucia', 'Nguyen', 'Anh', 'Raj', 'Priya', 'Sven', 'Ingrid',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Kowalski', 'Novak', 'Okafor', 'Adeyemi', 'Tanaka', 'Chen', 'Patel', 'Shah', 'Lindqvist', "O'Brien",
];

/** A fictional phone number: area code plus 555-01xx. */
export function fictionalPhone(random: Random, style: 'dashed' | 'parens' = 'dashed'): string {
  const area = random.weighted([['217', 8], ['309', 1], ['618', 1]] as const);
  const line = `01${String(random.int(0, 99)).padStart(2, '0')}`;
  return style === 'parens' ? `(${area}) 555-${line}` : `${area}-555-${line}`;
}

/** A fictional e-mail address at example.com / example.org. */
export function fictionalEmail(random: Random, first: string, last: string): string {
  const f = first.toLowerCase().replace(/[^a-z]/g, '');
  const l = last.toLowerCase().replace(/[^a-z]/g, '');
  const domain = random.chance(0.7) ? 'example.com' : 'example.org';
  const local = random.weighted([
    [`${f}.${l}`, 4],
    [`${f.charAt(0)}${l}`, 3],
    [`${f}${l.charAt(0)}${random.int(1, 99)}`, 2],
    [`${l}.${f}`, 1],
  ] as const);
  return `${local}@${domain}`;
}

export type Fillers = Readonly<Record<string, readonly string[]>>;

/** Replaces each `{name}` in `template` with a random entry of `fillers[name]`. */
export function fill(random: Random, template: string, fillers: Fillers): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const options = fillers[name];
    return options ? random.pick(options) : whole;
  });
}

export const titleCase = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
