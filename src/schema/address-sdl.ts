/** The SDL of the `address(line)` entry point: every dataset's rows at one street address. */
import type { ServedDataset } from '../plan/served-dataset.js';
import { CONNECTION_PAGE_ARGS } from './dataset-sdl.js';

export function addressSdl(datasets: readonly ServedDataset[]): string {
  const located = datasets.filter((dataset) => dataset.address);
  if (located.length === 0) return '';
  const fields = located.map(({ type, many }) => {
    const name = type.name;
    return `  "${name} rows at this address."\n  ${many}(filter: ${name}Filter, orderBy: [${name}OrderBy!], ${CONNECTION_PAGE_ARGS}): ${name}Connection`;
  });
  return `
"""
One street address, in canonical spelling (upper case, USPS abbreviations: \`1163 W 24TH ST\`),
with what every department's system holds about it.
"""
type Address {
  line: String!
${fields.join('\n')}
}

extend type Query {
  "Everything the city's systems hold about one street address, however each system spells it."
  address(line: String!): Address!
}
`;
}
