import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { AsyncResult, EmailAddressDetails, MailItem, OfficeStatic } from './office-js-types.js';
import { extractDocumentLinks } from '../documents/document-links.js';
import { officeMailHost } from './office-mail-host.js';

// A small in-memory Office.js (the external boundary), shaped like the real Mailbox API.

const addr = (displayName: string, emailAddress: string): EmailAddressDetails => ({ displayName, emailAddress });
const ok = <T>(value: T): AsyncResult<T> => ({ status: 'succeeded', value });

function fakeOffice(item: MailItem | null) {
  const mailboxHandlers = new Map<string, (args: unknown) => void>();
  const office = {
    context: {
      mailbox: {
        item,
        userProfile: { emailAddress: 'me@contoso.test', displayName: 'Me' },
        addHandlerAsync(type: string, handler: (args: unknown) => void) {
          mailboxHandlers.set(type, handler);
        },
      },
      requirements: { isSetSupported: () => true },
    },
    EventType: { ItemChanged: 'olkItemSelectedChanged', RecipientsChanged: 'olkRecipientsChanged', DocumentSelectionChanged: 'documentSelectionChanged' },
    HostType: {},
    CoercionType: { Text: 'text', Html: 'html' },
    onReady: async () => ({ host: 'Outlook', platform: 'PC' }),
  };
  return {
    office: office as unknown as OfficeStatic,
    select(next: MailItem | null) {
      office.context.mailbox.item = next;
      mailboxHandlers.get('olkItemSelectedChanged')?.({});
    },
  };
}

function readItem(over: Partial<MailItem> = {}): MailItem {
  return {
    itemId: 'AAMk-1',
    itemType: 'message',
    subject: 'Budget',
    from: addr('Alex Morgan', 'alex@contoso.test'),
    to: [addr('Priya', 'priya@contoso.test'), addr('', 'x@unknown.test')],
    cc: [addr('Mei', 'mei@contoso.test')],
    body: { getAsync: (_c, cb) => cb(ok('See https://contoso.sharepoint.com/a.docx')) },
    ...over,
  };
}

function composeItem(recipients: { to: EmailAddressDetails[]; cc: EmailAddressDetails[] }) {
  const handlers = new Map<string, () => void>();
  const item: MailItem = {
    itemType: 'message',
    subject: { getAsync: (cb) => cb(ok('Draft')) },
    from: { getAsync: (cb) => cb(ok(addr('Me', 'me@contoso.test'))) },
    to: { getAsync: (cb) => cb(ok([...recipients.to])) },
    cc: { getAsync: (cb) => cb(ok([...recipients.cc])) },
    body: { getAsync: (_c, cb) => cb(ok('')) },
    addHandlerAsync: (type, h) => void handlers.set(type, h as () => void),
  };
  return { item, fireRecipientsChanged: () => handlers.get('olkRecipientsChanged')?.() };
}

describe('officeMailHost', () => {
  it('reads sender, To and Cc of a read-mode message; display name falls back to the address', async () => {
    const { office } = fakeOffice(readItem());
    const host = officeMailHost(office);
    expect(await host.readItem()).toEqual({
      mode: 'read',
      itemId: 'AAMk-1',
      subject: 'Budget',
      from: { email: 'alex@contoso.test', name: 'Alex Morgan' },
      to: [
        { email: 'priya@contoso.test', name: 'Priya' },
        { email: 'x@unknown.test', name: 'x@unknown.test' },
      ],
      cc: [{ email: 'mei@contoso.test', name: 'Mei' }],
    });
    expect(await host.readBody()).toContain('sharepoint.com');
  });

  it('reads compose recipients with getAsync and signals RecipientsChanged', async () => {
    const recipients = { to: [addr('Lena', 'lena@contoso.test')], cc: [] as EmailAddressDetails[] };
    const draft = composeItem(recipients);
    const { office } = fakeOffice(draft.item);
    const host = officeMailHost(office);
    let signals = 0;
    host.onItemChanged(() => signals++);
    expect(await host.readItem()).toMatchObject({
      mode: 'compose',
      subject: 'Draft',
      from: { email: 'me@contoso.test' },
      to: [{ email: 'lena@contoso.test' }],
      cc: [],
    });
    recipients.cc.push(addr('Diego', 'diego@contoso.test'));
    draft.fireRecipientsChanged();
    expect(signals).toBe(1);
    expect((await host.readItem())?.cc).toEqual([{ email: 'diego@contoso.test', name: 'Diego' }]);
  });

  it('follows ItemChanged in a pinned pane and survives a null item', async () => {
    const fake = fakeOffice(readItem());
    const host = officeMailHost(fake.office);
    let signals = 0;
    host.onItemChanged(() => signals++);
    fake.select(null);
    expect(signals).toBe(1);
    expect(await host.readItem()).toBeNull();
    expect(await host.readBody()).toBe('');
    fake.select(readItem({ itemId: 'AAMk-2', subject: 'Next', from: addr('Sam', 'sam@contoso.test'), to: [], cc: [] }));
    expect(signals).toBe(2);
    expect(await host.readItem()).toMatchObject({ itemId: 'AAMk-2', from: { email: 'sam@contoso.test' }, to: [], cc: [] });
  });

  it('maps an appointment to organizer and attendees', async () => {
    const { office } = fakeOffice(
      readItem({
        itemType: 'appointment',
        from: undefined,
        to: undefined,
        cc: undefined,
        organizer: addr('Org', 'org@contoso.test'),
        requiredAttendees: [addr('R', 'r@contoso.test')],
        optionalAttendees: [addr('O', 'o@contoso.test')],
      }),
    );
    expect(await officeMailHost(office).readItem()).toMatchObject({
      from: { email: 'org@contoso.test' },
      to: [{ email: 'r@contoso.test' }],
      cc: [{ email: 'o@contoso.test' }],
    });
  });

  it('treats a failing getAsync as no recipients rather than failing the pane', async () => {
    const item = composeItem({ to: [], cc: [] }).item;
    const broken: MailItem = { ...item, to: { getAsync: (cb) => cb({ status: 'failed', value: [], error: { code: 9000, message: 'boom' } }) } };
    const { office } = fakeOffice(broken);
    expect(await officeMailHost(office).readItem()).toMatchObject({ mode: 'compose', to: [] });
  });

  it('reads the body as HTML, where a linked document keeps its URL behind its display text (OWA text drops it)', async () => {
    const asked: string[] = [];
    const bodies: Record<string, string> = {
      // Outlook on the web: the link text without its URL, paragraphs run together.
      text: 'Hi team,the numbers are in BudgetThanks',
      html: '<div><p>Hi team,</p><p>the numbers are in <a href="https://contoso.sharepoint.com/Budget.docx">Budget</a></p><p>Thanks</p></div>',
    };
    const { office } = fakeOffice(
      readItem({
        body: {
          getAsync: (coercion, cb) => {
            asked.push(coercion);
            cb(ok(bodies[coercion] ?? ''));
          },
        },
      }),
    );
    const body = await officeMailHost(office).readBody();
    expect(asked).toEqual(['html']);
    expect(extractDocumentLinks(body)).toEqual(['https://contoso.sharepoint.com/Budget.docx']);
  });

  it('falls back to the text body when the host will not give HTML', async () => {
    const { office } = fakeOffice(
      readItem({
        body: {
          getAsync: (coercion, cb) =>
            coercion === 'html'
              ? cb({ status: 'failed', value: '', error: { code: 9000, message: 'no html' } })
              : cb(ok('See https://contoso.sharepoint.com/a.docx')),
        },
      }),
    );
    expect(await officeMailHost(office).readBody()).toBe('See https://contoso.sharepoint.com/a.docx');
  });

  it('names the notification icon by an image id the manifest declares', async () => {
    const shown: { key: string; icon?: string; type: string }[] = [];
    const { office } = fakeOffice(
      readItem({
        notificationMessages: {
          replaceAsync: (key, msg, cb) => {
            shown.push({ key, ...msg });
            cb?.(ok(undefined));
          },
        },
      }),
    );
    await officeMailHost(office).notify('presence-chat', 'Priya: are you free?');
    expect(shown).toHaveLength(1);
    // Outlook's manifest (notifications are Outlook's only).
    const xml = readFileSync(new URL('../../../manifest.xml', import.meta.url), 'utf8');
    const ids = [...xml.matchAll(/<bt:Image\s+id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toContain(shown[0]!.icon);
  });
});
