import type { GlobAlternative, ParsedGlob, Segment, Token } from './glob';
import { tokensWitness } from './overlap';

interface Node {
  children: Map<string, Node>;
  /** Ids of entries with an alternative whose literal directory prefix ends at this node. */
  ids: Set<string>;
}

const newNode = (): Node => ({ children: new Map(), ids: new Set() });

/**
 * Finds the entries whose patterns could overlap a query pattern without looking at all of them. Each
 * alternative of an entry's pattern is filed under its leading literal segments (`src/api/*.ts` under
 * src → api); a query walks only the branches its own segments can match (a literal segment follows one
 * child, `*.ts` the children it matches, `**` the subtree, so a plain directory its own subtree),
 * collecting entries filed on the way (a plain path is filed under itself, so `pkg` is found from
 * `pkg/x.ts`). The result is a superset of the overlapping entries; callers run the exact overlap test.
 */
export class PatternIndex {
  private readonly root = newNode();
  private readonly nodesOf = new Map<string, Node[]>();

  get size(): number {
    return this.nodesOf.size;
  }

  add(id: string, parsed: ParsedGlob): void {
    if (this.nodesOf.has(id)) this.remove(id);
    const nodes: Node[] = [];
    for (const alt of parsed.alternatives) {
      let node = this.root;
      for (const name of literalPrefix(alt)) {
        let child = node.children.get(name);
        if (!child) node.children.set(name, (child = newNode()));
        node = child;
      }
      node.ids.add(id);
      nodes.push(node);
    }
    this.nodesOf.set(id, nodes);
  }

  remove(id: string): void {
    for (const node of this.nodesOf.get(id) ?? []) node.ids.delete(id);
    this.nodesOf.delete(id);
    // Empty branches are left in place: they cost a map entry each and are dropped on continue-as-new.
  }

  /** Ids of entries that may overlap `parsed` (a superset of those that do). */
  candidates(parsed: ParsedGlob): Set<string> {
    const out = new Set<string>();
    for (const alt of parsed.alternatives) this.walk(this.root, alt.segments, 0, out, new Map());
    return out;
  }

  private walk(node: Node, segments: Segment[], i: number, out: Set<string>, visited: Map<Node, Set<number>>): void {
    // `**` can reach the same (node, position) along many routes; each is explored once.
    let positions = visited.get(node);
    if (!positions) visited.set(node, (positions = new Set()));
    if (positions.has(i)) return;
    positions.add(i);

    for (const id of node.ids) out.add(id);
    const segment = segments[i];
    if (!segment) return;
    if (segment.kind === 'globstar') {
      this.walk(node, segments, i + 1, out, visited);
      for (const child of node.children.values()) this.walk(child, segments, i, out, visited);
      return;
    }
    if (segment.literal !== undefined) {
      const child = node.children.get(segment.literal);
      if (child) this.walk(child, segments, i + 1, out, visited);
      return;
    }
    for (const [name, child] of node.children) {
      if (tokensWitness(segment.tokens, literalTokens(name)) !== undefined) this.walk(child, segments, i + 1, out, visited);
    }
  }
}

function literalPrefix(alt: GlobAlternative): string[] {
  const names: string[] = [];
  for (const segment of alt.segments) {
    if (segment.kind !== 'segment' || segment.literal === undefined) break;
    names.push(segment.literal);
  }
  return names;
}

function literalTokens(name: string) {
  const tokens: Token[] = [];
  for (let i = 0; i < name.length; i++) tokens.push({ kind: 'char', set: [[name.charCodeAt(i), name.charCodeAt(i)]] });
  return tokens;
}
