/** The SDL of a dataset's statistics entry point, e.g. `serviceRequestStats(filter, groupBy)`. */
import { groupChoices, measurableFields } from '../plan/stats.js';
import type { ServedDataset } from '../plan/served-dataset.js';

export function statsFieldName(dataset: ServedDataset): string {
  return `${dataset.one}Stats`;
}

export function statsSdl(dataset: ServedDataset): string {
  const name = dataset.type.name;
  const choices = [...groupChoices(dataset)];
  const { ordered, numeric } = measurableFields(dataset);
  const keyFields = choices.map(([, choice]) => `  ${choice.keyName}: ${choice.keyType}`);
  const measures: string[] = [];
  const types: string[] = [];
  if (ordered.length > 0) {
    types.push(`"Smallest or largest values in one group of ${name} rows (null when the group is suppressed)."\ntype ${name}StatsValues {\n${ordered.map((field) => `  ${field.path}: ${field.type.name}`).join('\n')}\n}`);
    measures.push(`  min: ${name}StatsValues!`, `  max: ${name}StatsValues!`);
  }
  if (numeric.length > 0) {
    types.push(`"Sums or averages of the non-empty values in one group of ${name} rows."\ntype ${name}StatsNumbers {\n${numeric.map((field) => `  ${field.path}: Float`).join('\n')}\n}`);
    measures.push(`  sum: ${name}StatsNumbers!`, `  avg: ${name}StatsNumbers!`);
  }
  return `
"What ${name} rows can be grouped by. A date's group is the day, ISO week (from Monday), month or year it falls in, in the source's local time."
enum ${name}GroupBy {
${choices.map(([value]) => `  ${value}`).join('\n')}
}

"The values that define one group; only the fields named in \`groupBy\` are set."
type ${name}StatsKey {
${keyFields.join('\n')}
}

${types.join('\n\n')}

"One group of ${name} rows."
type ${name}StatsGroup {
  key: ${name}StatsKey!
  "How many rows the group holds; null when \`suppressed\`."
  count: Int
  "True when the group holds too few rows for its figures to be shown to you (small-cell suppression), or when showing them would reveal such a group's."
  suppressed: Boolean!
${measures.join('\n')}
}

extend type Query {
  "Counts and other statistics of the ${name} rows matching \`filter\`, per group of \`groupBy\` (one group over all rows when it is empty), computed by the department's system."
  ${statsFieldName(dataset)}(filter: ${name}Filter, groupBy: [${name}GroupBy!]): [${name}StatsGroup!]
}
`;
}
