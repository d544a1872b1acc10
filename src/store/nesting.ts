// Which kind of store work the current async context is inside. Work that starts a transaction
// or a read from inside another would wait for its own turn (SQLite's one connection) or run
// outside the transaction it thinks it is in (another pooled connection): it fails at once
// instead. A read inside a read shares the snapshot it is in.

import { AsyncLocalStorage } from "node:async_hooks";

type Inside<T> = { kind: "transaction" | "read"; handle: T };

/** `T` is what a nested read reuses: the handle of the snapshot it is in. */
export function nestingGuard<T>() {
  const inside = new AsyncLocalStorage<Inside<T>>();
  return {
    /** Throws if called from inside store work; `what` names the work that was asked for. */
    refuse(what: string): void {
      const current = inside.getStore()?.kind;
      if (current) throw new Error(`${what} inside a ${current} is refused: it would wait for that ${current} forever, or run outside it`);
    },
    /** The snapshot the caller is inside, if it is inside a read. */
    currentRead: (): T | undefined => {
      const current = inside.getStore();
      return current?.kind === "read" ? current.handle : undefined;
    },
    run: <R>(kind: Inside<T>["kind"], handle: T, work: () => Promise<R>): Promise<R> => inside.run({ kind, handle }, work),
  };
}
