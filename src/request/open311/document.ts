/**
 * Open311 documents in XML and in JSON. Each answer is built once as its XML tree; the JSON is
 * that tree read by the Spark convention, which GeoReport v2 prescribes: the root element is
 * dropped and an element holding only repeated children becomes an array of them
 * (`<services><service>…</service></services>` → `[{…}]`).
 */
import type { Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';

export type Format = 'json' | 'xml';
export const FORMATS: readonly Format[] = ['json', 'xml'];

export type Value = string | number | boolean | null;
/** An element's children by name; an array is that child repeated. */
export interface Element {
  [name: string]: Value | Element | readonly (Element | Value)[];
}

export interface Document {
  /** The root element's name, e.g. `service_requests`. */
  root: string;
  body: Element;
}

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

// Not indented: whitespace between elements would be text a strict reader has to skip.
const xml = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

/** Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function forXml(node: Element | Value | readonly (Element | Value)[]): unknown {
  if (node === null) return '';
  if (typeof node === 'string') return node.replace(NOT_XML, '\uFFFD');
  if (typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(forXml);
  return Object.fromEntries(Object.entries(node).map(([name, child]) => [name, forXml(child)]));
}

function spark(node: Element | Value | readonly (Element | Value)[]): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(spark);
  const children = Object.entries(node as Element);
  if (children.length === 1 && Array.isArray(children[0]![1])) return spark(children[0]![1]);
  return Object.fromEntries(children.map(([name, child]) => [name, spark(child)]));
}

export function render(document: Document, format: Format): string {
  if (format === 'json') return JSON.stringify(spark(document.body));
  return xml.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [document.root]: forXml(document.body) });
}

export function send(response: Response, format: Format, status: number, document: Document): void {
  response.status(status).set('Content-Type', CONTENT_TYPES[format]).send(render(document, format));
}
