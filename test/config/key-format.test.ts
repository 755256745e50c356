import { describe, expect, it } from 'vitest';
import { KeyFormatError, keyConverter } from '../../src/config/key-format.js';

describe('key formats', () => {
  const caseNumber = keyConverter({ raw: '{year}-{seq:d}', public: 'SR-{year}-{seq:8}' });

  it('spell a work-order system’s short 311 reference as the CRM’s case number, and back', () => {
    expect(caseNumber.toPublic('24-12345')).toBe('SR-24-00012345');
    expect(caseNumber.toRaw('SR-24-00012345')).toBe('24-12345');
    expect(caseNumber.toRaw('SR-24-00000007')).toBe('24-7');
  });

  it('match no row for a public value of another shape, or a number too wide to pad', () => {
    expect(caseNumber.toRaw('24-12345')).toBeUndefined();
    expect(caseNumber.toRaw('SR-24-0001234x')).toBeUndefined();
    expect(caseNumber.toPublic('24-123456789')).toBeUndefined();
  });

  it('read numeric raw keys and text parts', () => {
    const permit = keyConverter({ raw: '{n:d}', public: 'WO-{n:7}' });
    expect(permit.toPublic(400123)).toBe('WO-0400123');
    const text = keyConverter({ raw: '{dept}/{n:d}', public: '{dept}-{n:4}' });
    expect(text.toRaw('BLDG-0042')).toBe('BLDG/42');
  });

  it.each([
    [{ raw: '{a}', public: '{b}' }, /must name the same parts/],
    [{ raw: 'plain', public: 'SR-{a}' }, /raw template "plain" has no \{part\}/],
    [{ raw: '{a}{b:d}', public: '{a}-{b:d}' }, /text part \{a\} must be followed by fixed text/],
    [{ raw: '{a:x}', public: '{a}' }, /a part is written/],
  ])('refuse the templates %j', (format, message) => {
    expect(() => keyConverter(format)).toThrow(KeyFormatError);
    expect(() => keyConverter(format)).toThrow(message);
  });
});
