import { randomUUID } from 'node:crypto';
import { selectFields, type DeltaCollection, type Json } from './delta-collection.js';
import type { Fault, GraphState } from './graph-state.js';

export interface EmRequest {
  readonly method: string;
  /** Path below the version segment, e.g. "/users/delta". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly inBatch: boolean;
}

export interface EmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Json | Buffer;
}

const err = (status: number, code: string, message: string, headers?: Record<string, string>): EmResponse => ({
  status,
  headers,
  body: { error: { code, message } },
});
const ok = (body: Json, status = 200): EmResponse => ({ status, body });

/** The Graph surface the product uses, answering in Graph's documented shapes. */
export class GraphRoutes {
  constructor(
    private readonly state: GraphState,
    /** Absolute base including the version, for nextLink/deltaLink URLs. */
    private readonly base: () => string,
  ) {}

  async handle(req: EmRequest): Promise<EmResponse> {
    const s = this.state;
    const auth = req.headers.authorization ?? '';
    if (!req.inBatch) {
      const token = auth.replace(/^Bearer /, '');
      const exp = s.tokens.get(token);
      if (!exp || exp < Date.now()) return err(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    }
    const fault = this.fault(req.method, req.path, req.inBatch);
    if (fault && !fault.afterApplying) return this.injected(fault);
    const mailbox = /^\/users\/([^/]+)\//.exec(req.path)?.[1];
    if (mailbox) {
      const n = (s.inFlight.get(mailbox) ?? 0) + 1;
      s.inFlight.set(mailbox, n);
      s.maxConcurrentPerMailbox.set(mailbox, Math.max(n, s.maxConcurrentPerMailbox.get(mailbox) ?? 0));
    }
    try {
      if (s.latencyMs) await new Promise((r) => setTimeout(r, s.latencyMs));
      const res = await this.route(req);
      if (fault?.afterApplying) {
        fault.times--;
        return err(fault.status, 'GatewayTimeout', 'injected after applying');
      }
      return res;
    } finally {
      if (mailbox) s.inFlight.set(mailbox, (s.inFlight.get(mailbox) ?? 1) - 1);
    }
  }

  /** The first live fault matching "METHOD /path" (also used for the $batch request itself). */
  fault(method: string, path: string, inBatch: boolean): Fault | undefined {
    const key = `${method} ${path}`;
    return this.state.faults.find((f) => f.times > 0 && f.match.test(key) && (f.inBatch === undefined || f.inBatch === inBatch));
  }

  /** Answers with a fault (spending one of its uses). */
  injected(fault: Fault): EmResponse {
    fault.times--;
    // Status 0: the connection is dropped without an answer (the HTTP layer resets it).
    if (fault.status === 0) return { status: 0 };
    return err(
      fault.status,
      fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
      'injected',
      fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : undefined,
    );
  }

  private async route(req: EmRequest): Promise<EmResponse> {
    const s = this.state;
    const { method, path: p, query } = req;
    let m: RegExpExecArray | null;
    // Exchange routes of an Entra user without a mailbox (no `mail`: UPN-only, many guests) answer
    // as Graph does, for the whole request.
    if ((m = /^\/users\/([^/]+)\/(mailboxSettings|calendar|calendarView|sendMail|mailFolders|messages)(\/|$)/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (u && !u.mail) return err(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
    }
    if (method === 'GET' && p === '/users/delta') return this.delta(s.users, '/users/delta', req);
    if (method === 'GET' && p === '/contacts/delta') return this.delta(s.orgContacts, '/contacts/delta', req);
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/contacts\/delta$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      if (!u.mail) return err(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      return this.delta(s.contactsOf(String(u.id)), `/users/${u.id}/contacts/delta`, req);
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/contactFolders(?:\/([^/]+)\/(childFolders|contacts\/delta))?$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      if (!u.mail) return err(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      const uid = String(u.id);
      const parent = m[2] === undefined ? null : decodeURIComponent(m[2]);
      const folder = parent === null ? undefined : s.contactFolder(uid, parent);
      if (parent !== null && !folder) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (m[3] === 'contacts/delta') return this.delta(folder!.contacts, `/users/${uid}/contactFolders/${encodeURIComponent(folder!.id)}/contacts/delta`, req);
      const children = (s.contactFolders.get(uid) ?? []).filter((f) => f.parentFolderId === parent);
      const route = parent === null ? `/users/${uid}/contactFolders` : `/users/${uid}/contactFolders/${encodeURIComponent(parent)}/childFolders`;
      return this.list(
        children.map((f) => ({ id: f.id, displayName: f.displayName, parentFolderId: f.parentFolderId ?? 'contacts-root' })),
        route,
        req,
      );
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/photo(\/\$value)?$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      const photo = u && s.photos.get(String(u.id));
      if (!photo) return err(404, 'ImageNotFound', 'Exception of type Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException was thrown.');
      if (m[2]) {
        if (req.headers['if-none-match'] === photo.etag) return { status: 304, headers: { ETag: photo.etag } };
        return { status: 200, headers: { 'Content-Type': photo.contentType, ETag: photo.etag }, body: photo.bytes };
      }
      return ok({
        '@odata.context': `${this.base()}/$metadata#users('${u!.id}')/photo/$entity`,
        '@odata.mediaContentType': photo.contentType,
        '@odata.mediaEtag': photo.etag,
        id: 'default',
        height: 96,
        width: 96,
      });
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/mailboxSettings\/automaticRepliesSetting$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const a = s.automaticReplies.get(String(u.id)) ?? { status: 'disabled' };
      const dt = (v?: string) => ({ dateTime: (v ?? new Date(0).toISOString()).replace(/Z$/, '').replace(/(\.\d{3})$/, '$10000'), timeZone: 'UTC' });
      return ok({
        status: a.status,
        externalAudience: 'all',
        internalReplyMessage: a.internalReplyMessage ?? '',
        externalReplyMessage: a.externalReplyMessage ?? '',
        scheduledStartDateTime: dt(a.scheduledStart),
        scheduledEndDateTime: dt(a.scheduledEnd),
      });
    }
    if (method === 'POST' && (m = /^\/users\/([^/]+)\/calendar\/getSchedule$/.exec(p))) return this.getSchedule(req);
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/calendarView$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const from = Date.parse(`${query.get('startDateTime')}`);
      const to = Date.parse(`${query.get('endDateTime')}`);
      if (Number.isNaN(from) || Number.isNaN(to)) return err(400, 'ErrorInvalidParameter', 'startDateTime and endDateTime are required');
      const items = (s.calendars.get(String(u.id)) ?? []).filter((i) => Date.parse(i.start) < to && Date.parse(i.end) > from);
      return ok({
        value: items.map((i, n) => ({
          id: `ev-${n}`,
          subject: i.subject ?? '',
          showAs: i.showAs,
          isCancelled: false,
          start: { dateTime: i.start.replace(/Z$/, ''), timeZone: 'UTC' },
          end: { dateTime: i.end.replace(/Z$/, ''), timeZone: 'UTC' },
          attendees: (i.attendees ?? []).map((a) => ({ type: 'required', emailAddress: { address: a, name: a } })),
        })),
      });
    }
    if (method === 'POST' && p === '/communications/getPresencesByUserId') {
      const ids = (req.body as { ids?: unknown })?.ids;
      if (!Array.isArray(ids)) return err(400, 'BadRequest', 'ids is required');
      if (ids.length > 650) return err(400, 'BadRequest', 'The number of ids cannot exceed 650.');
      return ok({ value: ids.map((id) => ({ id, ...(s.teamsPresence.get(String(id)) ?? { availability: 'PresenceUnknown', activity: 'PresenceUnknown' }) })) });
    }
    if (method === 'POST' && (m = /^\/users\/([^/]+)\/sendMail$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const b = req.body as { message?: Json; saveToSentItems?: unknown };
      if (!b?.message) return err(400, 'ErrorInvalidRequest', 'message is required');
      s.sentMail.push({ from: String(u.mail), message: b.message, saveToSentItems: b.saveToSentItems });
      return { status: 202 };
    }
    if ((m = /^\/users\/([^/]+)\/mailFolders$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      if (!u) return err(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const folders = s.mailFolders.get(String(u.id)) ?? [];
      s.mailFolders.set(String(u.id), folders);
      if (method === 'GET') {
        const f = /^displayName eq '(.*)'$/.exec(query.get('$filter') ?? '');
        const list = f ? folders.filter((x) => x.displayName === f[1].replace(/''/g, "'")) : folders;
        return ok({ value: list.map((x) => ({ ...x, parentFolderId: 'msgfolderroot', childFolderCount: 0, unreadItemCount: 0, totalItemCount: 0 })) });
      }
      if (method === 'POST') {
        const name = (req.body as { displayName?: unknown })?.displayName;
        if (typeof name !== 'string' || !name) return err(400, 'ErrorInvalidRequest', 'displayName is required');
        if (folders.some((x) => x.displayName === name)) return err(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        const folder = { id: `folder-${randomUUID()}`, displayName: name };
        folders.push(folder);
        return ok(folder, 201);
      }
    }
    if ((m = /^\/users\/([^/]+)\/mailFolders\/([^/]+)\/messages$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      const folder = u && (s.mailFolders.get(String(u.id)) ?? []).find((f) => f.id === m![2]);
      if (!u || !folder) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      const k = `${u.id}|${folder.id}`;
      const list = s.folderMessages.get(k) ?? [];
      s.folderMessages.set(k, list);
      if (method === 'GET') {
        const f = /^internetMessageId eq '(.*)'$/.exec(query.get('$filter') ?? '');
        return ok({ value: f ? list.filter((x) => x.internetMessageId === f[1]) : list });
      }
      if (method === 'POST') {
        const msg = { ...(req.body as Json), id: `msg-${randomUUID()}`, createdDateTime: new Date().toISOString() };
        list.push(msg);
        return ok(msg, 201);
      }
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)\/manager$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      const mgr = u && typeof u.managerId === 'string' ? s.users.items.get(u.managerId) : undefined;
      return mgr ? ok({ '@odata.type': '#microsoft.graph.user', id: mgr.id }) : err(404, 'Request_ResourceNotFound', "Resource 'manager' does not exist.");
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)$/.exec(p))) {
      const u = s.userByKey(decodeURIComponent(m[1]));
      return u ? ok(u) : err(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist.`);
    }
    return err(404, 'UnknownRoute', `${method} ${p} is not emulated`);
  }

  /** A plain collection paged with $skip (page size from Prefer: odata.maxpagesize, else $top). */
  private list(items: Json[], route: string, req: EmRequest): EmResponse {
    const pref = /odata\.maxpagesize=(\d+)/.exec(req.headers.prefer ?? '');
    const top = Number(req.query.get('$top') ?? '') || undefined;
    const size = Math.max(1, pref ? Math.min(Number(pref[1]), 999) : (top ?? this.state.pageSize));
    const skip = Number(req.query.get('$skip') ?? '0') || 0;
    const sel = req.query.get('$select');
    const value = items.slice(skip, skip + size).map((x) => selectFields(x, sel ? sel.split(',').map((f) => f.trim()) : null));
    const body: Json = { '@odata.context': `${this.base()}/$metadata#contactFolders`, value };
    if (skip + size < items.length) {
      const next = new URLSearchParams(req.query);
      next.set('$skip', String(skip + size));
      body['@odata.nextLink'] = `${this.base()}${route}?${next.toString()}`;
    }
    return ok(body);
  }

  /** Delta rounds with Graph's tokens: $skiptoken pages a round, $deltatoken starts the next. */
  private delta(coll: DeltaCollection, route: string, req: EmRequest): EmResponse {
    const { query } = req;
    const pref = /odata\.maxpagesize=(\d+)/.exec(req.headers.prefer ?? '');
    const size = pref ? Math.min(Number(pref[1]), 999) : this.state.pageSize;
    const skip = query.get('$skiptoken');
    const deltaToken = query.get('$deltatoken');
    let pagingId: string;
    const gone = (): EmResponse =>
      err(410, 'syncStateNotFound', 'The sync state is no longer valid; restart with a full synchronization.', { Location: `${this.base()}${route}` });
    if (skip) {
      if (coll.pagingEpoch(skip) === undefined) return gone();
      if (coll.pagingEpoch(skip) !== coll.epoch) return gone();
      pagingId = skip;
    } else if (deltaToken) {
      let t: { e: number; s: number; sel: string[] | null };
      try {
        t = JSON.parse(Buffer.from(deltaToken, 'base64url').toString('utf8'));
      } catch {
        return err(400, 'BadRequest', 'Invalid delta token');
      }
      if (t.e !== coll.epoch) return gone();
      pagingId = coll.begin(t.s, t.sel);
    } else {
      const sel = query.get('$select');
      pagingId = coll.begin(null, sel ? sel.split(',').map((x) => x.trim()) : null);
    }
    const page = coll.page(pagingId, size)!;
    const body: Json = { '@odata.context': `${this.base()}/$metadata#${coll.name}`, value: page.value };
    if (page.done) {
      const token = Buffer.from(JSON.stringify({ e: page.epoch, s: page.untilSeq, sel: page.select })).toString('base64url');
      body['@odata.deltaLink'] = `${this.base()}${route}?$deltatoken=${token}`;
    } else {
      body['@odata.nextLink'] = `${this.base()}${route}?$skiptoken=${pagingId}`;
    }
    return ok(body);
  }

  private getSchedule(req: EmRequest): EmResponse {
    const b = req.body as { schedules?: unknown; startTime?: { dateTime?: string }; endTime?: { dateTime?: string }; availabilityViewInterval?: number };
    if (!Array.isArray(b?.schedules) || !b.startTime?.dateTime || !b.endTime?.dateTime)
      return err(400, 'ErrorInvalidRequest', 'schedules, startTime and endTime are required');
    if (b.schedules.length > 20) return err(400, 'ErrorExceededFindCountLimit', 'The number of schedules cannot exceed 20.');
    const utc = (v: string) => Date.parse(/Z$|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    const from = utc(b.startTime.dateTime);
    const to = utc(b.endTime.dateTime);
    const interval = (b.availabilityViewInterval ?? 30) * 60_000;
    const code = { free: '0', tentative: '1', busy: '2', oof: '3', workingElsewhere: '4' } as const;
    return ok({
      value: b.schedules.map((addr: unknown) => {
        const u = this.state.userByKey(String(addr));
        if (!u || !u.mail) return { scheduleId: addr, error: { message: 'The specified user could not be found', responseCode: 'ErrorMailRecipientNotFound' } };
        const items = (this.state.calendars.get(String(u.id)) ?? []).filter((i) => Date.parse(i.start) < to && Date.parse(i.end) > from);
        let view = '';
        for (let t = from; t < to; t += interval) {
          const hit = items.filter((i) => Date.parse(i.start) < t + interval && Date.parse(i.end) > t);
          view += hit.length ? String(Math.max(...hit.map((i) => Number(code[i.showAs])))) : '0';
        }
        return {
          scheduleId: addr,
          availabilityView: view,
          scheduleItems: items.map((i) => ({
            isPrivate: false,
            status: i.showAs,
            subject: i.subject ?? '',
            location: '',
            start: { dateTime: i.start.replace(/Z$/, ''), timeZone: 'UTC' },
            end: { dateTime: i.end.replace(/Z$/, ''), timeZone: 'UTC' },
          })),
          workingHours: {
            daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
            startTime: '08:00:00.0000000',
            endTime: '17:00:00.0000000',
            timeZone: { name: 'UTC' },
          },
        };
      }),
    });
  }
}
