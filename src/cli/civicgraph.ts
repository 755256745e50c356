/**
 * The `civicgraph` command. A gateway runs in production mode unless told otherwise:
 * graphql-js then skips its development-time realm checks on every `instanceof`, which
 * cost several per cent of each request. It reads NODE_ENV when loaded, hence the import
 * after setting it.
 */
export {};

process.env.NODE_ENV ??= 'production';
await import('./commands.js');
