/**
 * The limits a document is held to before it runs, as Apollo Server options for one role's
 * server: tokens while parsing (graphql-js stops the parser at the limit, so a huge document
 * is never parsed whole), then validation rules for depth, aliases and directives
 * (graphql-armor's) and for root fields, expanded fields and operations (ours: armor has
 * none). Every count expands fragments with one memoised walk, so a fragment bomb costs
 * linear time to refuse; fragment cycles are refused by graphql-js's own NoFragmentCycles.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  Kind,
  type ASTNode,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLError,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { QueryLimits } from '../../config/limits.js';
import { tooComplex, type LimitRefusal } from './refusal.js';

export function parseOptions(limits: QueryLimits): ParseOptions {
  return { maxTokens: limits.tokens };
}

/** graphql-js's message when the parser stops at `maxTokens` (spelled as it is). */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more that (\d+) tokens\. Parsing aborted\.$/;

/** The refusal for a parse error that is the token limit; undefined for any other parse error. */
export function tokenLimitRefusal(message: string, role: string): LimitRefusal | undefined {
  const match = TOKEN_LIMIT_MESSAGE.exec(message);
  return match ? tooComplex('tokens', undefined, Number(match[1]), role) : undefined;
}

export function staticLimitRules(limits: QueryLimits, role: string): ValidationRule[] {
  /** armor reports "… limit of N exceeded, found M."; the refusal restates it with the role. */
  const refuse = (measure: string, limit: number) => (context: ValidationContext | null, error: GraphQLError) => {
    const found = /found (\d+)/.exec(error.message);
    context?.reportError(tooComplex(measure, found ? Number(found[1]) : undefined, limit, role, error.nodes));
  };
  const armor = (measure: string, limit: number) => ({ n: limit, propagateOnRejection: false, onReject: [refuse(measure, limit)] });
  return [
    // Fragments add no depth of their own; introspection is bounded by graphql-js's MaxIntrospectionDepthRule.
    maxDepthRule({ ...armor('depth', limits.depth), flattenFragments: true, ignoreIntrospection: true }),
    maxAliasesRule(armor('aliases', limits.aliases)),
    maxDirectivesRule(armor('directives', limits.directives)),
    documentShapeRule(limits, role),
  ];
}

/**
 * Operations per document; root fields and all field selections per operation, fragments
 * expanded; nesting of input values written in the document (variables: `variablesRefusal`).
 */
function documentShapeRule(limits: QueryLimits, role: string): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const expanded = expandedCounter(fragments);
    let operations = 0;
    let inputDepth = 0;
    let refusedInput = false;
    const nest = {
      enter(node: ASTNode) {
        inputDepth++;
        if (inputDepth > limits.inputDepth && !refusedInput) {
          refusedInput = true;
          context.reportError(tooComplex('inputDepth', undefined, limits.inputDepth, role, [node]));
        }
      },
      leave() {
        inputDepth--;
      },
    };
    return {
      ObjectValue: nest,
      ListValue: nest,
      OperationDefinition(operation) {
        operations++;
        if (operations === limits.operations + 1) context.reportError(tooComplex('operations', undefined, limits.operations, role, [operation]));
        const { top, all } = expanded(operation.selectionSet);
        if (top > limits.rootFields) context.reportError(tooComplex('rootFields', top, limits.rootFields, role, [operation]));
        if (all > limits.fields) context.reportError(tooComplex('fields', all, limits.fields, role, [operation]));
      },
    };
  };
}

/**
 * Counts the fields of a selection set at its top level and at every level, as if every
 * fragment spread were written out: each fragment is counted once and its counts reused.
 */
function expandedCounter(fragments: ReadonlyMap<string, FragmentDefinitionNode>): (selectionSet: SelectionSetNode) => { top: number; all: number } {
  const known = new Map<string, { top: number; all: number }>();
  const counting = new Set<string>();
  const count = (selectionSet: SelectionSetNode): { top: number; all: number } => {
    let top = 0;
    let all = 0;
    for (const selection of selectionSet.selections) {
      let part: { top: number; all: number };
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? count(selection.selectionSet).all : 0;
        part = { top: 1, all: 1 + below };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        part = count(selection.selectionSet);
      } else {
        part = fragment(selection.name.value);
      }
      top += part.top;
      all += part.all;
    }
    return { top, all };
  };
  const fragment = (name: string): { top: number; all: number } => {
    const cached = known.get(name);
    if (cached) return cached;
    const definition = fragments.get(name);
    // An unknown fragment or a cycle is reported by graphql-js's own rules; here it adds nothing.
    if (!definition || counting.has(name)) return { top: 0, all: 0 };
    counting.add(name);
    const counted = count(definition.selectionSet);
    counting.delete(name);
    known.set(name, counted);
    return counted;
  };
  return count;
}

/** The refusal for variables nested deeper than the role's `inputDepth`; measured without recursion, so no depth can exhaust the stack. */
export function variablesRefusal(variables: Readonly<Record<string, unknown>> | undefined, limits: QueryLimits, role: string): LimitRefusal | undefined {
  if (!variables) return undefined;
  const pending: Array<{ value: unknown; depth: number }> = Object.values(variables).map((value) => ({ value, depth: 1 }));
  let deepest = 0;
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limits.inputDepth) return tooComplex('inputDepth', undefined, limits.inputDepth, role);
    for (const item of Array.isArray(value) ? value : Object.values(value)) pending.push({ value: item, depth: depth + 1 });
  }
  return undefined;
}
