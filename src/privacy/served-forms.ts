/**
 * A field as a role reads it through a transform: the transform itself, and — where the
 * field's source can compute the transform exactly as the gateway does — its source-side
 * form, on which the role's filters, orders and groups compare the value it reads, never the
 * raw one (src/plan/served-dataset.ts, `comparedValues`).
 *
 * - hundredBlock, on an address the mapping normalises: the hundred-block program
 *   (./hundred-block.ts) in the source's query;
 * - round and snap, on Float coordinates: the same double arithmetic (./coordinates.ts);
 * - truncate, where the source's calendar bucket is the truncated value the role reads: a Date
 *   field, or a DateTime stored as an instant (or without offset by a source whose zone is UTC).
 *   A date-time stored without offset elsewhere is truncated in UTC after conversion from the
 *   source's zone, which not every system can compute (MySQL without its zone tables, SQL
 *   Server with its own zone names): it stays unfilterable rather than compare another value.
 *
 * mask, redact and null have no such form: a mask or a redacted text is not a function a
 * source can be asked to compare on, and comparing the raw text would reveal it. Neither has
 * pseudonymize: the keyed HMAC cannot be computed by the systems, and answering `eq` on a
 * pseudonym in the gateway would mean hashing every raw value of the table on each request.
 */
import type { FieldRule } from '../config/mapping.js';
import type { FieldBinding, ScalarBinding } from '../plan/served-dataset.js';
import type { TransformRef } from '../source/source.js';
import { applyRule, type TransformContext } from './transforms.js';

/** Zone names whose wall-clock time is UTC's, so that a date-time stored without offset is an instant. */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

export function readThrough(binding: FieldBinding, rule: FieldRule, context: TransformContext): FieldBinding {
  const transform = (value: unknown) => applyRule(rule, value, context);
  if (binding.kind === 'scalar') return { ...binding, scalar: { ...binding.scalar, transform, served: servedForm(rule, binding.scalar) } };
  // An object is read whole or null (a position without a longitude is no position): so is each of its sub-fields' forms.
  const whole = [...binding.fields.values()].map((scalar) => scalar.ref);
  const fields = new Map(
    [...binding.fields].map(([name, scalar]) => {
      const served = servedForm(rule, scalar);
      return [name, { ...scalar, served: served && { ...served, whole } }] as const;
    }),
  );
  return { ...binding, transform, fields };
}

function servedForm(rule: FieldRule, field: ScalarBinding): TransformRef | undefined {
  if (field.mapping.codes || field.keyFormat) return undefined;
  const of = field.ref;
  switch (rule.kind) {
    case 'hundredBlock':
      return field.mapping.normalize === 'address' ? { transform: 'hundredBlock', of } : undefined;
    case 'round':
      return field.type.name === 'Float' && Number.isInteger(rule.decimals) && rule.decimals >= 0 && rule.decimals <= 15 ? { transform: 'round', decimals: rule.decimals, of } : undefined;
    case 'snap':
      return field.type.name === 'Float' && Number.isFinite(rule.cell) && rule.cell > 0 ? { transform: 'snap', cell: rule.cell, of } : undefined;
    case 'truncate':
      return truncatedAsBucket(field) ? { transform: 'truncate', unit: rule.unit, of } : undefined;
    default:
      return undefined;
  }
}

/** Whether the source's calendar bucket of the stored value is the truncation of the value the role reads. */
function truncatedAsBucket(field: ScalarBinding): boolean {
  const stored = field.columnType;
  if (field.type.name === 'Date') return stored === 'date' || stored === 'timestamp' || stored === 'timestamptz';
  if (field.type.name === 'DateTime') return stored === 'timestamptz' || (stored === 'timestamp' && UTC_ZONES.has(field.timezone));
  return false;
}
