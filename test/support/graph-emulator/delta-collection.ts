/**
 * A collection of Graph objects with a change log, answering delta queries the way Graph does:
 * an initial round enumerating everything (paged by skip tokens), then rounds with the changes
 * since a delta token; removed objects come back as `{ id, "@removed": { reason } }`.
 */
export type Json = Record<string, unknown>;

interface Change {
  readonly seq: number;
  readonly id: string;
  /** The object's manager (managerId) is not what it was before this change. */
  readonly managerChanged: boolean;
}

interface PagingState {
  readonly ids: readonly string[];
  offset: number;
  readonly untilSeq: number;
  readonly select: readonly string[] | null;
  readonly epoch: number;
  /** Change rounds: the objects whose manager changed in the round. null: an initial round. */
  readonly managerChanged: ReadonlySet<string> | null;
}

let nextPaging = 1;

export class DeltaCollection {
  readonly items = new Map<string, Json>();
  /** Why an object is gone, for the "@removed" of later delta rounds. */
  readonly removed = new Map<string, 'changed' | 'deleted'>();
  readonly #log: Change[] = [];
  #seq = 0;
  /** Bumped to invalidate every token handed out so far (410 Gone on their next use). */
  epoch = 1;
  /**
   * As Graph does: a change round carries manager@delta only for objects whose manager changed
   * (off by default: every round carries it, as the initial one does).
   */
  sparseManagerDelta = false;
  readonly #paging = new Map<string, PagingState>();

  constructor(readonly name: string) {}

  get seq(): number {
    return this.#seq;
  }

  put(obj: Json & { id: string }): void {
    const managerChanged = this.items.get(obj.id)?.managerId !== obj.managerId || !this.items.has(obj.id);
    this.items.set(obj.id, { ...obj });
    this.removed.delete(obj.id);
    this.#log.push({ seq: ++this.#seq, id: obj.id, managerChanged });
  }

  patch(id: string, changes: Json): void {
    const cur = this.items.get(id);
    if (!cur) throw new Error(`${this.name}: no ${id}`);
    this.put({ ...cur, ...changes, id });
  }

  /** Soft delete ("changed", restorable) or hard delete ("deleted"). */
  remove(id: string, reason: 'changed' | 'deleted' = 'deleted'): Json | undefined {
    const cur = this.items.get(id);
    this.items.delete(id);
    this.removed.set(id, reason);
    this.#log.push({ seq: ++this.#seq, id, managerChanged: true });
    return cur;
  }

  /** Starts a round: initial (no token) or since `fromSeq`. Returns a paging id. */
  begin(fromSeq: number | null, select: readonly string[] | null): string {
    let ids: string[];
    let managerChanged: Set<string> | null = null;
    if (fromSeq === null) {
      ids = [...this.items.keys()];
    } else {
      const changed = new Set<string>();
      managerChanged = new Set();
      for (let i = this.#log.length - 1; i >= 0 && this.#log[i].seq > fromSeq; i--) {
        changed.add(this.#log[i].id);
        if (this.#log[i].managerChanged) managerChanged.add(this.#log[i].id);
      }
      ids = [...changed].reverse();
    }
    const id = `p${nextPaging++}`;
    this.#paging.set(id, { ids, offset: 0, untilSeq: this.#seq, select, epoch: this.epoch, managerChanged });
    return id;
  }

  /** One page; `done` carries the sequence number the delta token must encode. */
  page(pagingId: string, size: number): { value: Json[]; done: boolean; untilSeq: number; select: readonly string[] | null; epoch: number } | null {
    const st = this.#paging.get(pagingId);
    if (!st) return null;
    const slice = st.ids.slice(st.offset, st.offset + size);
    st.offset += slice.length;
    const value = slice.map((id) => {
      const obj = this.items.get(id);
      if (!obj) return { id, '@removed': { reason: this.removed.get(id) ?? 'deleted' } };
      const out = selectFields(obj, st.select);
      if (this.sparseManagerDelta && st.managerChanged && !st.managerChanged.has(id)) delete out['manager@delta'];
      return out;
    });
    const done = st.offset >= st.ids.length;
    if (done) this.#paging.delete(pagingId);
    return { value, done, untilSeq: st.untilSeq, select: st.select, epoch: st.epoch };
  }

  pagingEpoch(pagingId: string): number | undefined {
    return this.#paging.get(pagingId)?.epoch;
  }
}

export function selectFields(obj: Json, select: readonly string[] | null): Json {
  if (!select) {
    const { managerId: _m, ...rest } = obj;
    return rest;
  }
  const out: Json = { id: obj.id };
  for (const f of select) if (f in obj) out[f] = obj[f];
  // Relationships come back as "<name>@delta" (users: manager).
  if (select.includes('manager') && typeof obj.managerId === 'string') out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: obj.managerId }];
  return out;
}
