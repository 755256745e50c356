/**
 * `civicgraph`: serve mappings, serve the demo, validate mappings.
 * Every command prints problems as `file:line:column: severity: key: message`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { prepareDemo } from '../demo/prepare.js';
import { serve } from '../gateway/serve.js';
import { validate } from './validate.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

async function run(options: { connectors: string; schemas: string; port: number; host: string; watch: boolean }): Promise<void> {
  const running = await serve({
    connectorsDir: resolve(options.connectors),
    schemasDir: resolve(options.schemas),
    port: options.port,
    host: options.host,
    watch: options.watch,
    log,
  });
  process.stdout.write(`CivicGraph is serving GraphQL at ${running.url}\n`);
  const stop = (): void => {
    log('stopping');
    running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const program = new Command('civicgraph').description('A GraphQL gateway over a city\'s departmental systems.');
const port = process.env.PORT ?? '4000';
const host = process.env.HOST ?? '0.0.0.0';

program
  .command('serve')
  .description('serve the connector mappings in --connectors against the public schema in --schemas')
  .option('--connectors <dir>', 'folder of connector mapping files', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .option('--port <port>', 'HTTP port (env PORT)', portNumber, portNumber(port))
  .option('--host <host>', 'interface to listen on (env HOST)', host)
  .option('--no-watch', 'do not reload mappings when their files change')
  .action(run);

program
  .command('demo')
  .description('generate the demo departmental systems (first run only) and serve them')
  .option('--port <port>', 'HTTP port (env PORT)', portNumber, portNumber(port))
  .option('--host <host>', 'interface to listen on (env HOST)', host)
  .action(async (options: { port: number; host: string }) => {
    await prepareDemo(resolve(projectRoot, '.civicgraph/demo'), { log });
    await run({ connectors: resolve(projectRoot, 'connectors'), schemas: resolve(projectRoot, 'schemas'), watch: true, ...options });
  });

program
  .command('validate')
  .description('check connector mappings; exits non-zero when any has an error')
  .option('--connectors <dir>', 'folder of connector mapping files', 'connectors')
  .option('--schemas <dir>', 'folder of the public schema (.graphql files)', 'schemas')
  .option('--offline', 'check the files only, without connecting to the sources')
  .action(async (options: { connectors: string; schemas: string; offline?: boolean }) => {
    process.exitCode = await validate({ connectorsDir: resolve(options.connectors), schemasDir: resolve(options.schemas), offline: options.offline ?? false });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`civicgraph: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
