// The schema the tests open: two migrations, the second altering a table of the first.
export const TEST_MIGRATIONS: readonly string[] = [
  'CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL);',
  "ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'plain';",
];

export function newerSchema(found: number, supported: number): Error {
  return new Error(`schema ${found} is newer than ${supported}`);
}
