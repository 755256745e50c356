import { generate } from '@graphql-codegen/cli';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

describe('generated TypeScript types', () => {
  it('match what `npm run codegen` makes from schemas/ today', async () => {
    const config = parse(await readFile('codegen.yml', 'utf8'));
    const outputs = await generate({ ...config, silent: true }, false);
    const generated = outputs.find((output: { filename: string }) => output.filename.endsWith('src/generated/graphql.ts'));
    expect(generated, 'codegen.yml must generate src/generated/graphql.ts').toBeDefined();
    const committed = await readFile('src/generated/graphql.ts', 'utf8');
    expect(committed, 'src/generated/graphql.ts is stale: run `npm run codegen`').toBe(generated.content);
  });
});
