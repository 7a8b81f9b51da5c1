import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { columnOf, openSqlite, pragmaValue } from '../src/index.js';
import { newerSchema, TEST_MIGRATIONS } from './migrations.js';

function home(): string {
  const dir = process.env.QTS_HOME;
  if (dir === undefined) throw new Error('the shared vitest setup sets QTS_HOME');
  return dir;
}

describe('openSqlite', () => {
  it('creates the folder (owner only), switches to WAL and applies every migration', () => {
    const file = join(home(), 'fresh', 'a.sqlite');
    const db = openSqlite({ file, migrations: TEST_MIGRATIONS, newerSchema });
    expect(pragmaValue(db, 'journal_mode')).toBe('wal');
    expect(pragmaValue(db, 'synchronous')).toBe(1); // NORMAL
    expect(pragmaValue(db, 'user_version')).toBe(2);
    db.prepare('INSERT INTO items (label) VALUES (?)').run('x');
    db.close();
    expect(statSync(join(home(), 'fresh')).mode & 0o777).toBe(0o700);
  });

  it('sets synchronous FULL when asked', () => {
    const file = join(home(), 'full.sqlite');
    const db = openSqlite({ file, migrations: TEST_MIGRATIONS, synchronous: 'FULL', newerSchema });
    expect(pragmaValue(db, 'synchronous')).toBe(2);
    db.close();
  });

  it('applies only the pending migrations to an older file and keeps its rows', () => {
    const file = join(home(), 'old.sqlite');
    const v1 = openSqlite({ file, migrations: TEST_MIGRATIONS.slice(0, 1), newerSchema });
    v1.prepare('INSERT INTO items (label) VALUES (?)').run('kept');
    v1.close();
    const db = openSqlite({ file, migrations: TEST_MIGRATIONS, newerSchema });
    expect(pragmaValue(db, 'user_version')).toBe(2);
    const row = db.prepare('SELECT label, kind FROM items').get();
    expect([columnOf(row, 'label'), columnOf(row, 'kind')]).toEqual(['kept', 'plain']);
    db.close();
  });

  it('refuses a file of a newer schema with the caller error and leaves it untouched', () => {
    const file = join(home(), 'newer.sqlite');
    const raw = new Database(file);
    raw.exec('PRAGMA user_version = 7');
    raw.close();
    expect(() => openSqlite({ file, migrations: TEST_MIGRATIONS, newerSchema })).toThrow(
      'schema 7 is newer than 2',
    );
    const check = new Database(file);
    expect(pragmaValue(check, 'user_version')).toBe(7);
    check.close();
  });

  it('rolls a failing migration back whole', () => {
    const file = join(home(), 'broken.sqlite');
    const broken = [TEST_MIGRATIONS[0] ?? '', 'ALTER TABLE missing ADD COLUMN x TEXT;'];
    expect(() => openSqlite({ file, migrations: broken, newerSchema })).toThrow(/missing/);
    const db = openSqlite({ file, migrations: [], newerSchema });
    expect(pragmaValue(db, 'user_version')).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'items'").get()).toBeUndefined();
    db.close();
  });

  it('opens memory without WAL', () => {
    const db = openSqlite({ file: null, migrations: TEST_MIGRATIONS, newerSchema });
    expect(pragmaValue(db, 'journal_mode')).toBe('memory');
    expect(pragmaValue(db, 'user_version')).toBe(2);
    db.close();
  });

  it('columnOf reads a field and ignores libsql metadata', () => {
    expect(columnOf({ a: 1, _metadata: {} }, 'a')).toBe(1);
    expect(columnOf(undefined, 'a')).toBeUndefined();
  });
});
