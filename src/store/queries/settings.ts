import type { Kysely } from "kysely";
import type { SettingRepository } from "../../core/ports.ts";
import type { Database } from "../schema.ts";

export function settingQueries(db: Kysely<Database>): SettingRepository {
  const find = async (name: string) => (await db.selectFrom("settings").select("value").where("name", "=", name).executeTakeFirst())?.value;
  return {
    find,
    async insertIfAbsent(name, value, now) {
      // A node writing the same name at the same moment waits for the first to commit, then
      // writes nothing; the read after it sees the first one's value.
      await db.insertInto("settings").values({ name, value, created_at: now }).onConflict((oc) => oc.column("name").doNothing()).execute();
      const kept = await find(name);
      if (kept === undefined) throw new Error(`setting ${name} was neither written nor found`);
      return kept;
    },
  };
}
