/**
 * Who may use the console: callers whose role is `liaison` or inherits from it. A liaison
 * holds the role for one department (it is per-department) and acts on that department's
 * datasets only; a role above it that is not per-department (a city-wide privacy officer)
 * acts on every department. What no department owns (the list of departments and their
 * files' problems, the privacy matrix) every console user reads.
 */
import type { RolesConfig } from '../../config/roles.js';
import { roleChain } from '../../privacy/access-rules.js';
import { departmentSlug, type Caller } from '../authenticate.js';

/** The role of roles.yaml the console is for. */
export const CONSOLE_ROLE = 'liaison';

/** An answer the console gives instead of its work, with its HTTP status; the message names what is at fault and carries no secret. */
export class ConsoleRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The source (connector or system) the error is about, for the page to name. */
    readonly source?: string,
  ) {
    super(message);
  }
}

export interface ConsoleUser {
  subject: string;
  role: string;
  /** The department slug the caller acts for; undefined: every department. */
  department: string | undefined;
}

/** The caller as a console user, or a 403 refusal naming the role the console needs. */
export function consoleUser(roles: RolesConfig, caller: Caller): ConsoleUser {
  const base = roles.roles.find((role) => role.name === caller.baseRole);
  const chain = base ? roleChain(roles, base, true) : [];
  if (!chain.some((role) => role.name === CONSOLE_ROLE)) {
    const who = caller.kind === 'anonymous' ? 'you are not signed in' : `role ${caller.baseRole} cannot use it`;
    throw new ConsoleRefusal(403, `the console is for role ${CONSOLE_ROLE} and the roles that inherit from it: ${who}`);
  }
  return { subject: caller.subject ?? '(no subject)', role: caller.role, department: caller.department };
}

export function mayActFor(user: ConsoleUser, department: string): boolean {
  return user.department === undefined || user.department === departmentSlug(department);
}

/** Refuses work on another department's dataset, without saying more about it than its name the caller gave. */
export function requireDepartment(user: ConsoleUser, department: string, what: string): void {
  if (!mayActFor(user, department)) throw new ConsoleRefusal(403, `${what} belongs to department ${department}: your role ${user.role} acts for its own department only`);
}
