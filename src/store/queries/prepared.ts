// Hot queries built and compiled once per database dialect instead of on every call: Kysely's
// builders freeze a tree of nodes per call and compile it to the same SQL text each time, which
// the profile of a payment showed as a tenth of its time. A prepared query is built once with
// named slots where its values go, compiled, and each run binds the values into the slots.
// (SQLite's adapter then reuses the prepared statement of that SQL text.)

import type { Compilable, CompiledQuery, Kysely, QueryResult } from "kysely";
import type { Database } from "../schema.ts";

const SLOT = Symbol("slot");
type Slot = { readonly [SLOT]: string };
const isSlot = (value: unknown): value is Slot => typeof value === "object" && value !== null && SLOT in value;

/** Where a run's named value goes; typed as the value so that Kysely's builders take it. */
export type Slots<V> = <K extends keyof V & string>(name: K) => V[K];
const slotOf = (name: string): unknown => ({ [SLOT]: name });

/** A row whose every column is the slot of the same name, for an insert or an update of whole rows. */
export function slotsFor<R extends Record<string, unknown>>(row: R, $: Slots<R>): R {
  return Object.fromEntries(Object.keys(row).map((column) => [column, $(column)])) as R;
}

type Template<R> = { compiled: CompiledQuery<R>; parameters: ReadonlyArray<{ slot: string } | { value: unknown }> };

/**
 * `build` makes the query once per dialect from slots (`$("id")`), and from the first run's
 * values, whose names (not values) must be the same on every run: a run without a value for a
 * slot fails. Runs on any handle of that database: the database itself, a transaction, a snapshot.
 */
export function prepared<R, V extends Record<string, unknown>>(
  build: (db: Kysely<Database>, $: Slots<V>, values: V) => Compilable<R>,
): (db: Kysely<Database>, values: V) => Promise<QueryResult<R>> {
  // Keyed by the dialect's adapter, one per Kysely instance and shared by its transactions.
  const templates = new WeakMap<object, Template<R>>();
  return (db, values) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const compiled = build(db, slotOf as Slots<V>, values).compile();
      template = { compiled, parameters: compiled.parameters.map((p) => (isSlot(p) ? { slot: p[SLOT] } : { value: p })) };
      templates.set(adapter, template);
    }
    const parameters = template.parameters.map((p) => {
      if (!("slot" in p)) return p.value;
      const value = values[p.slot];
      if (value === undefined) throw new Error(`prepared query: no value for ${p.slot} in ${template.compiled.sql}`);
      return value;
    });
    const { sql, query, queryId } = template.compiled;
    return db.executeQuery<R>({ sql, query, queryId, parameters });
  };
}
