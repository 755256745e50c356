import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { readYaml } from '../../src/config/yaml-document.js';

/** V8's structured clone tags a one-byte string '"' and a two-byte one 'c'. */
const representation = (text: string): 'one-byte' | 'two-byte' => (serialize(text)[2] === 0x22 ? 'one-byte' : 'two-byte');

describe('mapping text as read', () => {
  // A file with one character beyond Latin-1 is read as two-byte text; a code's name cut from it
  // would make every answer that carries it two-byte, several times slower to serialise and send.
  const file = '# roles: public → staff\nfields:\n  serviceName:\n    codes: { PTHOLE: Pothole in Street, "7": Café — open }\n';
  const source = readYaml('crm-311.yaml', file, {});
  const codes = (source.data as { fields: { serviceName: { codes: Record<string, string> } } }).fields.serviceName.codes;

  it('keeps every value and key as written', () => {
    expect(codes).toEqual({ PTHOLE: 'Pothole in Street', '7': 'Café — open' });
  });

  it('holds the text Latin-1 can spell in the narrow form, whatever else the file holds', () => {
    expect(representation(file)).toBe('two-byte');
    expect(representation(codes.PTHOLE!)).toBe('one-byte');
    expect(representation(Object.keys(codes)[0]!)).toBe('one-byte');
    expect(representation(codes['7']!)).toBe('two-byte');
  });
});
