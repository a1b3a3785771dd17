export { openStore, nowMs, sql, type Store, type Dialect } from './store.js';
export { runMigrations, type Migration } from './migrations.js';
export { GroupCommit } from './group-commit.js';
