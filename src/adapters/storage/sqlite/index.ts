export { openSqliteStorage } from './open-sqlite-storage.js';
export type { SqliteSettings, SqliteStorage, SqliteStorageOptions } from './open-sqlite-storage.js';
export {
  SQLITE_APPLICATION_ID,
  SQLITE_MIGRATIONS,
  checkSqliteSchema,
  migrateSqlite,
} from './migrations.js';
export type { MigrationResult } from './migrations.js';
export type { StorageError } from './cursors.js';
