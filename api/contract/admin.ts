import { z } from 'zod';
import { defineRoute } from './route.js';

export const syncRunStatus = z.enum(['running', 'ok', 'failed', 'aborted', 'deletions_blocked', 'incomplete']);

export const syncRun = z.object({
  id: z.string(),
  source: z.string(),
  mode: z.enum(['full', 'incremental']),
  dryRun: z.boolean(),
  status: syncRunStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.object({
    entries: z.number(),
    added: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    disabled: z.number(),
    deleted: z.number(),
    missing: z.number(),
    skipped: z.number(),
    blockedDeletions: z.number(),
  }),
  warningCount: z.number(),
  /** The first warnings of the run (warningCount has the total). */
  warnings: z.array(z.string()),
  error: z.string().nullable(),
});
export type SyncRunDto = z.infer<typeof syncRun>;

export const syncSourceStatus = z.object({
  source: z.string(),
  configured: z.boolean(),
  /** Where the source stands: USN/DC, modifyTimestamp, delta link presence, file hash. */
  watermark: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).nullable(),
  needsFull: z.string().nullable(),
  lastFullAt: z.string().nullable(),
  people: z.number(),
  pendingDeletions: z.number(),
  lastRuns: z.array(syncRun),
});

export const syncStatusRoute = defineRoute({
  method: 'get',
  path: '/v1/admin/sync',
  tag: 'admin',
  summary: "Directory sync: each source's state and watermark, the last runs with their warnings",
  auth: 'admin',
  response: z.object({
    running: z.object({ runId: z.string().nullable(), owner: z.string(), expiresAt: z.string() }).nullable(),
    intervalSeconds: z.number(),
    fullIntervalSeconds: z.number(),
    sources: z.array(syncSourceStatus),
  }),
});

export const syncRunRoute = defineRoute({
  method: 'post',
  path: '/v1/admin/sync/{source}/run',
  tag: 'admin',
  summary: 'Start a sync run of one source now (202 with the run id; 409 while a run is in progress)',
  auth: 'admin',
  body: z.strictObject({ full: z.boolean().optional(), allowDeletes: z.boolean().optional(), dryRun: z.boolean().optional() }),
  response: z.object({ runId: z.string(), source: z.string(), status: z.literal('running') }),
});
