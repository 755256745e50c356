/**
 * Loads `connectors/roles.yaml`: the roles the mappings' access rules name, their
 * inheritance, and how callers prove a role (JWT, app tokens). Checked like a mapping file
 * (its own JSON Schema, then what a schema cannot say: one root, no cycles, one JWT key),
 * with every problem at a line. Secrets become `Secret`s and never reach a message.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Environment } from './interpolate.js';
import { inheritLimits, LIMIT_KEYS, parseSize, PUBLIC_LIMITS, type QueryLimits } from './limits.js';
import { hasErrors, pathString, type Problem } from './problem.js';
import type { JwtSettings, RateLimits, RoleDefinition, RolesConfig } from './roles.js';
import { Secret } from './secret.js';
import { didYouMean } from './suggest.js';
import { shown, validateRaw } from './validate-raw.js';
import { pointer, readYaml, type KeyPath, type YamlSource } from './yaml-document.js';

/** The file name `loadMappings` reads roles from, and skips when listing mapping files. */
export const ROLES_FILE = 'roles.yaml';

/** HS256 keys shorter than the hash (256 bits) weaken the signature (RFC 7518 §3.2). */
const MIN_SECRET_LENGTH = 32;

interface RawRoles {
  roles: Record<string, { inherits?: string; perDepartment?: boolean; description?: string; limits?: Record<string, unknown> }>;
  publicRole: string;
  authentication?: {
    jwt?: { issuer?: string; audience?: string; secret?: string; publicKey?: string; jwksUrl?: string; roleClaim?: string; departmentClaim?: string };
    appTokens?: string | string[];
  };
  rateLimits?: {
    window?: string | number;
    anonymous?: number;
    appToken?: number;
    token?: number;
    cost?: { anonymous?: number; appToken?: number; token?: number };
    redisUrl?: string;
  };
}

/** A rate-limit window as written: `1m`, `30s`, `500ms`, `1h`, or a number of seconds. */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a duration (`1m`, `30s`, `500ms`, `1h`, or seconds as a number); undefined when it is not one. */
export function parseDuration(value: string | number): number | undefined {
  const match = DURATION.exec(String(value).trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

export async function loadRoles(file: string, env: Environment = process.env): Promise<{ roles?: RolesConfig; problems: Problem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      problems: [{ severity: 'error', file, line: 0, column: 0, path: '', message: `cannot read the roles file (${reason}): it declares the roles that the mapping files' access rules name` }],
    };
  }
  return parseRoles(readYaml(file, text, env));
}

/** Resolves an already-read roles file; exported for callers that hold the text. */
export function parseRoles(source: YamlSource): { roles?: RolesConfig; problems: Problem[] } {
  if (source.data === undefined) return { problems: source.problems };
  const validated = validateRaw(source, 'roles');
  const problems: Problem[] = [...source.problems, ...validated.problems];
  const rejected = (path: KeyPath) => validated.errorAt.some((error) => error === pointer(path) || error.startsWith(pointer(path) + '/'));
  const report = (severity: Problem['severity'], path: KeyPath, message: string, where: 'key' | 'value' = 'value') =>
    problems.push({ severity, ...(where === 'key' ? source.keyAt(path) : source.valueAt(path)), path: pathString(path), message });

  const raw = source.data as Partial<RawRoles>;
  if (typeof raw !== 'object' || raw === null || typeof raw.roles !== 'object' || raw.roles === null || validated.errorAt.includes('/roles')) {
    return { problems };
  }
  const declared = Object.entries(raw.roles).filter(([name, role]) => !rejected(['roles', name]) && typeof role === 'object' && role !== null);
  const names = Object.keys(raw.roles);
  const parentOf = new Map<string, string | undefined>();
  for (const [name, role] of declared) {
    const parent = role.inherits;
    if (parent !== undefined && !names.includes(parent)) {
      report('error', ['roles', name, 'inherits'], `role "${name}" inherits from ${shown(source, ['roles', name, 'inherits'], parent)}, which is not declared under "roles"${didYouMean(parent, names)}`);
      continue;
    }
    parentOf.set(name, parent);
  }

  // The public role is the root every other role grows from.
  const publicRole = typeof raw.publicRole === 'string' && !rejected(['publicRole']) ? raw.publicRole : undefined;
  if (publicRole !== undefined && !names.includes(publicRole)) {
    report('error', ['publicRole'], `publicRole ${shown(source, ['publicRole'], publicRole)} is not declared under "roles"${didYouMean(publicRole, names)}`);
  }
  for (const [name, role] of declared) {
    if (name === publicRole) {
      if (role.inherits !== undefined) report('error', ['roles', name, 'inherits'], `the public role "${name}" cannot inherit from another role: every other role inherits from it`);
      if (role.perDepartment === true) report('error', ['roles', name, 'perDepartment'], `the public role "${name}" cannot be per-department: anonymous callers have no department`);
    } else if (role.inherits === undefined && publicRole !== undefined && names.includes(publicRole)) {
      report('error', ['roles', name], `role "${name}" inherits from no role, but only the public role "${publicRole}" may: give it "inherits: ${publicRole}" (or a role that does)`, 'key');
    }
  }

  // Cycles: follow each role's parents; a role met twice closes a loop. Reported once per loop.
  const inCycle = new Set<string>();
  for (const [name] of declared) {
    if (inCycle.has(name)) continue;
    const seen: string[] = [];
    let current: string | undefined = name;
    while (current !== undefined && !seen.includes(current)) {
      seen.push(current);
      current = parentOf.get(current);
    }
    if (current === undefined || inCycle.has(current)) continue;
    const loop = seen.slice(seen.indexOf(current));
    loop.forEach((member) => inCycle.add(member));
    const first = names.find((candidate) => loop.includes(candidate))!;
    const order = [...loop.slice(loop.indexOf(first)), ...loop.slice(0, loop.indexOf(first)), first];
    report('error', ['roles', first, 'inherits'], `roles inherit from each other in a loop (${order.join(' → ')}): every chain of "inherits" must end at the public role`);
  }

  // A global role below a per-department one would see every department's per-department fields.
  for (const [name, role] of declared) {
    const parent = parentOf.get(name);
    if (parent === undefined || inCycle.has(name) || role.perDepartment === true) continue;
    if (raw.roles[parent]?.perDepartment === true) {
      report(
        'warning',
        ['roles', name],
        `role "${name}" inherits from the per-department role "${parent}" but is not per-department itself, so it sees what "${parent}" sees on every department's datasets; add "perDepartment: true" unless that is intended`,
        'key',
      );
    }
  }

  const limits = resolveLimits();
  const jwt = resolveJwt();
  const appTokens = resolveAppTokens();
  const rateLimits = resolveRateLimits();
  if (hasErrors(problems) || publicRole === undefined) return { problems };

  // Inheritance order: a role comes after its parent; siblings keep the file's order.
  const ordered: RoleDefinition[] = [];
  const placed = new Set<string>();
  while (ordered.length < declared.length) {
    const next = declared.find(([name]) => !placed.has(name) && (parentOf.get(name) === undefined || placed.has(parentOf.get(name)!)));
    if (!next) break;
    const [name, role] = next;
    const inherited = role.inherits === undefined ? PUBLIC_LIMITS : ordered.find((parent) => parent.name === role.inherits)!.limits;
    const definition: RoleDefinition = { name, perDepartment: role.perDepartment === true, limits: inheritLimits(inherited, limits.get(name) ?? {}), at: source.keyAt(['roles', name]) };
    if (role.inherits !== undefined) definition.inherits = role.inherits;
    if (role.description !== undefined) definition.description = role.description;
    ordered.push(definition);
    placed.add(name);
  }
  const roles: RolesConfig = { file: source.file, roles: ordered, publicRole, appTokens };
  if (jwt) roles.jwt = jwt;
  if (rateLimits) roles.rateLimits = rateLimits;
  return { roles, problems };

  /** Each role's declared limits; durations and sizes read with their units. */
  function resolveLimits(): Map<string, Partial<QueryLimits>> {
    const byRole = new Map<string, Partial<QueryLimits>>();
    for (const [name, role] of declared) {
      const path: KeyPath = ['roles', name, 'limits'];
      if (typeof role.limits !== 'object' || role.limits === null || rejected(path)) continue;
      const resolved: Record<string, number | boolean> = {};
      for (const [key, value] of Object.entries(role.limits)) {
        const limit = LIMIT_KEYS[key];
        if (limit === undefined || rejected([...path, key])) continue;
        if (limit === 'deadlineMs') {
          const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
          if (ms === undefined) report('error', [...path, key], `deadline ${shown(source, [...path, key], String(value))} is not a duration: write e.g. 10s, 500ms or 1m`);
          else resolved[limit] = ms;
        } else if (limit === 'responseBytes') {
          const bytes = typeof value === 'string' || typeof value === 'number' ? parseSize(value) : undefined;
          if (bytes === undefined) report('error', [...path, key], `responseSize ${shown(source, [...path, key], String(value))} is not a size: write e.g. 10mb, 512kb, or bytes as a number`);
          else resolved[limit] = bytes;
        } else if (typeof value === 'number' || typeof value === 'boolean') {
          resolved[limit] = value;
        }
      }
      byRole.set(name, resolved as Partial<QueryLimits>);
    }
    return byRole;
  }

  function resolveJwt(): JwtSettings | undefined {
    const path: KeyPath = ['authentication', 'jwt'];
    const settings = raw.authentication?.jwt;
    if (typeof settings !== 'object' || settings === null || rejected(path)) return undefined;
    const keys = (['secret', 'publicKey', 'jwksUrl'] as const).filter((key) => (settings[key] ?? '') !== '');
    // None set: JWT authentication is off, and every caller has the public role.
    if (keys.length === 0) return undefined;
    if (keys.length > 1) {
      const origin = (key: string) => {
        const variables = source.variablesAt([...path, key]);
        return variables.length > 0 ? `${key} (from ${variables.map((name) => '${' + name + '}').join(', ')})` : key;
      };
      report('error', [...path, keys[1]!], `give only one of secret, publicKey and jwksUrl, but ${keys.map(origin).join(' and ')} are set`, 'key');
      return undefined;
    }
    const result: JwtSettings = { roleClaim: settings.roleClaim ?? 'role', departmentClaim: settings.departmentClaim ?? 'department' };
    if (settings.issuer) result.issuer = settings.issuer;
    if (settings.audience) result.audience = settings.audience;
    const key = keys[0]!;
    const value = settings[key]!;
    if (key === 'secret') {
      if (value.length < MIN_SECRET_LENGTH) {
        report('error', [...path, 'secret'], `the secret${fromVariables([...path, 'secret'])} is shorter than ${MIN_SECRET_LENGTH} characters, too short to sign HS256 tokens safely`);
      }
      result.secret = new Secret(value);
    } else if (key === 'publicKey') {
      try {
        createPublicKey(value);
        result.publicKey = value;
      } catch {
        report('error', [...path, 'publicKey'], 'publicKey is not a PEM public key (-----BEGIN PUBLIC KEY----- …)');
      }
    } else {
      const url = URL.canParse(value) ? new URL(value) : undefined;
      if (!url || !['https:', 'http:'].includes(url.protocol)) {
        report('error', [...path, 'jwksUrl'], `jwksUrl ${shown(source, [...path, 'jwksUrl'], value)} is not an https URL`);
      } else {
        if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
          report('warning', [...path, 'jwksUrl'], 'jwksUrl is plain http: anyone on the network path could swap the keys; use https');
        }
        result.jwksUrl = value;
      }
    }
    return result;
  }

  function resolveAppTokens(): Secret[] {
    const path: KeyPath = ['authentication', 'appTokens'];
    const value = raw.authentication?.appTokens;
    if (value === undefined || rejected(path)) return [];
    const list = Array.isArray(value) ? value : value.split(',');
    return list.map((token) => token.trim()).filter((token) => token !== '').map((token) => new Secret(token));
  }

  function resolveRateLimits(): RateLimits | undefined {
    const path: KeyPath = ['rateLimits'];
    const settings = raw.rateLimits;
    if (typeof settings !== 'object' || settings === null || rejected(path)) return undefined;
    const { anonymous, appToken, token } = settings;
    let windowMs: number | undefined = 60_000;
    if (settings.window !== undefined) {
      windowMs = parseDuration(settings.window);
      if (windowMs === undefined) {
        report('error', [...path, 'window'], `window ${shown(source, [...path, 'window'], settings.window)} is not a duration: write e.g. 1m, 30s, 500ms or 1h, or a number of seconds`);
      }
    }
    let redisUrl: Secret | undefined;
    const url = (settings.redisUrl ?? '').trim();
    if (url !== '') {
      // Never quoted: the URL may carry a password.
      const parsed = URL.canParse(url) ? new URL(url) : undefined;
      if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol)) {
        report('error', [...path, 'redisUrl'], `redisUrl${fromVariables([...path, 'redisUrl'])} is not a redis:// or rediss:// URL`);
      } else {
        redisUrl = new Secret(url);
      }
    }
    if (windowMs === undefined || typeof anonymous !== 'number' || typeof appToken !== 'number' || typeof token !== 'number') return undefined;
    const limits: RateLimits = { windowMs, anonymous, appToken, token };
    const cost = settings.cost;
    if (typeof cost === 'object' && cost !== null && !rejected([...path, 'cost'])) {
      if (typeof cost.anonymous === 'number' && typeof cost.appToken === 'number' && typeof cost.token === 'number') {
        limits.cost = { anonymous: cost.anonymous, appToken: cost.appToken, token: cost.token };
      }
    }
    if (redisUrl) limits.redisUrl = redisUrl;
    return limits;
  }

  function fromVariables(path: KeyPath): string {
    const variables = source.variablesAt(path);
    return variables.length > 0 ? ` (from ${variables.map((name) => '${' + name + '}').join(', ')})` : '';
  }
}
