/**
 * Converts a key between the spelling a source stores and the public spelling, both given
 * as templates of named parts (see `KeyFormat`). Conversion runs in the gateway, in both
 * directions, so a filter or join on the public value becomes a comparison on the raw
 * column, which the source can answer from its index.
 */
import type { KeyFormat } from './mapping.js';

type Part = { literal: string } | { name: string; number: 'any' | number | false };

export interface KeyConverter {
  /** The public spelling of a stored value, or undefined when the value does not fit the raw template. */
  toPublic(raw: string | number): string | undefined;
  /** The stored spelling of a public value, or undefined when it does not fit the public template (no row has it). */
  toRaw(value: string): string | undefined;
}

export class KeyFormatError extends Error {}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)(?::(d|[1-9]\d?))?\}/g;

function parse(template: string, which: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    const width = match[2];
    parts.push({ name: match[1]!, number: width === undefined ? false : width === 'd' ? 'any' : Number(width) });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  if (/[{}]/.test(parts.filter((part) => 'literal' in part).map((part) => (part as { literal: string }).literal).join(''))) {
    throw new KeyFormatError(`${which} template "${template}": a part is written {name}, {name:d} or {name:N}`);
  }
  const names = parts.flatMap((part) => ('name' in part ? [part.name] : []));
  if (names.length === 0) throw new KeyFormatError(`${which} template "${template}" has no {part}`);
  if (new Set(names).size !== names.length) throw new KeyFormatError(`${which} template "${template}" names a part twice`);
  parts.forEach((part, index) => {
    if ('name' in part && part.number === false && 'name' in (parts[index + 1] ?? {})) {
      throw new KeyFormatError(`${which} template "${template}": text part {${part.name}} must be followed by fixed text`);
    }
  });
  return parts;
}

function matcher(parts: Part[]): RegExp {
  const body = parts
    .map((part) => ('literal' in part ? part.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : part.number === false ? '(.+?)' : '(\\d+)'))
    .join('');
  return new RegExp(`^${body}$`);
}

function read(parts: Part[], pattern: RegExp, text: string): Map<string, string> | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const named = parts.filter((part): part is Extract<Part, { name: string }> => 'name' in part);
  return new Map(named.map((part, index) => [part.name, match[index + 1]!]));
}

function write(parts: Part[], values: Map<string, string>): string | undefined {
  let text = '';
  for (const part of parts) {
    if ('literal' in part) {
      text += part.literal;
      continue;
    }
    let value = values.get(part.name)!;
    if (part.number !== false) {
      value = value.replace(/^0+(?=\d)/, '');
      if (typeof part.number === 'number') {
        if (value.length > part.number) return undefined;
        value = value.padStart(part.number, '0');
      }
    }
    text += value;
  }
  return text;
}

export function keyConverter(format: KeyFormat): KeyConverter {
  const raw = parse(format.raw, 'raw');
  const pub = parse(format.public, 'public');
  const rawNames = raw.flatMap((part) => ('name' in part ? [part.name] : [])).sort();
  const publicNames = pub.flatMap((part) => ('name' in part ? [part.name] : [])).sort();
  if (rawNames.join() !== publicNames.join()) {
    throw new KeyFormatError(`the raw and public templates must name the same parts (raw: ${rawNames.join(', ')}; public: ${publicNames.join(', ')})`);
  }
  const rawPattern = matcher(raw);
  const publicPattern = matcher(pub);
  return {
    toPublic: (value) => {
      const parts = read(raw, rawPattern, String(value));
      return parts && write(pub, parts);
    },
    toRaw: (value) => {
      const parts = read(pub, publicPattern, value);
      return parts && write(raw, parts);
    },
  };
}
