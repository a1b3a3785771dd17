// Entry of the worker thread that runs a full LDAP pass: registers the TypeScript loader (the
// worker does not inherit the parent's), then loads the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
