/**
 * Reading and editing the agents' JSON settings files in place, with Microsoft's jsonc-parser (the
 * library VS Code reads settings.json with) for the syntax tree and its offsets, and text edits of our own:
 * comments, key order, indentation and everything Baton does not touch stay byte for byte as they were.
 */
import fs from 'node:fs';
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type JSONPath, type Node, type ParseError } from 'jsonc-parser';
import { BatonError } from '../domain/errors';

export interface JsoncDocument {
  file: string;
  exists: boolean;
  text: string;
  value: unknown;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/** The file's text and value; a missing file reads as `{}`. INVALID_INPUT (with the place) when it is not JSON. */
export function readJsonc(file: string, displayName = file): JsoncDocument {
  const exists = fs.existsSync(file);
  const text = exists ? fs.readFileSync(file, 'utf8') : '{}';
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length) {
    const e = errors[0]!;
    throw new BatonError('INVALID_INPUT', `${displayName} is not valid JSON (${printParseErrorCode(e.error)} at ${lineAndColumn(text, e.offset)}); fix it, then run the command again. Nothing was changed.`);
  }
  if (exists && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new BatonError('INVALID_INPUT', `${displayName} does not hold a JSON object; fix it, then run the command again. Nothing was changed.`);
  }
  return { file, exists, text, value: value ?? {} };
}

/** The file's own indentation unit (a tab or n spaces) and line ending, so added lines look like their neighbours. */
export function formattingOf(text: string): { unit: string; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)["{[\]}]/m.exec(text);
  if (indented?.[1]?.startsWith('\t')) return { unit: '\t', eol };
  return { unit: indented ? indented[1]! : '  ', eol };
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

const startsLine = (text: string, offset: number) => text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset).trim() === '';

function nodeAt(text: string, path: JSONPath): Node | undefined {
  const root = parseTree(text, [], { allowTrailingComma: true });
  return root && (path.length ? findNodeAtLocation(root, path) : root);
}

/**
 * Appends `value` to the array at `containerPath`, or adds it as property `key` of the object there. The
 * new text starts on a line of its own, indented like its siblings and pretty-printed in the file's own
 * unit; nothing else in the file changes. (jsonc-parser's own modify() re-formats the whole line it
 * touches, which would rewrite a neighbour written on one line.)
 */
export function insert(text: string, containerPath: JSONPath, key: string | undefined, value: unknown): string {
  const container = nodeAt(text, containerPath);
  const wanted = key === undefined ? 'array' : 'object';
  if (!container || container.type !== wanted) throw new Error(`no ${wanted} at ${JSON.stringify(containerPath)}`);
  const { unit, eol } = formattingOf(text);
  const children = container.children ?? [];
  const last = children[children.length - 1];
  const outer = lineIndent(text, container.offset);
  const indent = last && startsLine(text, last.offset) ? lineIndent(text, last.offset) : outer + unit;
  const printed = JSON.stringify(value, null, unit).split('\n').join(eol + indent);
  const item = key === undefined ? printed : `${JSON.stringify(key)}: ${printed}`;
  if (last) {
    const at = last.offset + last.length;
    return text.slice(0, at) + `,${eol}${indent}${item}` + text.slice(at);
  }
  // An empty container: the new item between the brackets, on its own line.
  const open = container.offset + 1;
  const close = container.offset + container.length - 1;
  const inner = text.slice(open, close).trim() === '' ? '' : text.slice(open, close);
  return text.slice(0, open) + inner + `${eol}${indent}${item}${eol}${outer}` + text.slice(close);
}

/**
 * Removes the array element or object property at `path`, with the comma that joined it to a neighbour:
 * the exact reverse of insert(), so install then uninstall gives back the file as it was.
 */
export function remove(text: string, path: JSONPath): string {
  const found = nodeAt(text, path);
  if (!found) return text;
  const node = found.parent?.type === 'property' ? found.parent : found;
  const container = node.parent!;
  const siblings = container.children!;
  const i = siblings.indexOf(node);
  if (siblings.length === 1) return text.slice(0, container.offset + 1) + text.slice(container.offset + container.length - 1);
  if (i === siblings.length - 1) {
    const previous = siblings[i - 1]!;
    return text.slice(0, previous.offset + previous.length) + text.slice(node.offset + node.length);
  }
  return text.slice(0, node.offset) + text.slice(siblings[i + 1]!.offset);
}

/** The value at `path`, read again from `text` (after earlier edits). */
export function valueAt(text: string, path: JSONPath): unknown {
  let value: unknown = parse(text, [], { allowTrailingComma: true });
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
