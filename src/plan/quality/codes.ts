/**
 * Coded fields: the most frequent raw codes with their labels (a bar chart), and the codes the
 * mapping's `codes:` do not translate — each row holding one fails in the API — grouped and
 * counted by the source, most frequent first, so only the top few groups ever leave it.
 */
import type { CodeMap } from '../../config/mapping.js';
import type { Predicate, Row, SourceValue } from '../../source/source.js';
import { readsRaw, type ScalarBinding } from '../served-dataset.js';
import { all, countOf, notNull, QUALITY_LIST_LIMIT, type Measure } from './context.js';
import type { CodeCount, CodeQuality } from './profile-types.js';

const label = (codes: CodeMap, raw: SourceValue): CodeCount['label'] => codes.find(([code]) => code === raw || String(code) === String(raw))?.[1] ?? null;

/** Fields the role reads raw whose mapping recodes them. */
export function codedFields(measure: Measure): Array<ScalarBinding & { mapping: { codes: CodeMap } }> {
  return [...measure.view.fields.values()].flatMap((binding) => {
    if (!readsRaw(binding)) return [];
    const scalars = binding.kind === 'scalar' ? [binding.scalar] : [...binding.fields.values()];
    return scalars.filter((field): field is ScalarBinding & { mapping: { codes: CodeMap } } => field.mapping.codes !== undefined);
  });
}

async function topCodes(measure: Measure, field: ScalarBinding, codes: CodeMap, where: Predicate | undefined): Promise<CodeCount[]> {
  const rows: Row[] = await measure.source.aggregate({
    table: measure.view.mapping.table,
    where,
    groupBy: { code: { ref: field.ref } },
    aggregates: { n: { fn: 'count' } },
    orderBy: [{ alias: 'n', direction: 'desc' }, { alias: 'code', direction: 'asc' }],
    limit: QUALITY_LIST_LIMIT,
  });
  return rows
    .filter((row) => row.code !== null && row.code !== undefined)
    .map((row) => ({ code: codeValue(row.code!), label: label(codes, row.code!), rows: countOf(row.n) }));
}

function codeValue(raw: Exclude<SourceValue, null>): CodeCount['code'] {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return raw instanceof Date ? raw.toISOString() : String(raw);
}

export async function measureCodes(measure: Measure): Promise<CodeQuality[]> {
  const out: CodeQuality[] = [];
  for (const field of codedFields(measure)) {
    const { codes } = field.mapping;
    const known = codes.map(([raw]) => raw);
    const untranslatedWhere = all(notNull(field.ref), { kind: 'not', item: { kind: 'compare', ref: field.ref, op: 'in', value: known } });
    const top = await topCodes(measure, field, codes, notNull(field.ref));
    const untranslated = await topCodes(measure, field, codes, untranslatedWhere);
    let untranslatedRows = untranslated.reduce((sum, code) => sum + code.rows, 0);
    let untranslatedCodes = untranslated.length;
    // A full list may not be all of them: then the source counts the rest too.
    if (untranslated.length === QUALITY_LIST_LIMIT) {
      const [totals = {}] = await measure.source.aggregate({
        table: measure.view.mapping.table,
        where: untranslatedWhere,
        groupBy: {},
        aggregates: { n: { fn: 'count' }, codes: { fn: 'countDistinct', ref: field.ref } },
      });
      untranslatedRows = countOf(totals.n);
      untranslatedCodes = countOf(totals.codes);
    }
    out.push({ field: field.path, top, untranslatedRows, untranslatedCodes, untranslated });
  }
  return out;
}
