import type { MailAddress, MailHost, MailItemPeople } from './office-host.js';
import type { AsyncResult, EmailAddressDetails, MailItem, OfficeStatic, Recipients } from './office-js-types.js';

/** The 16 px image's resource id in manifest.xml (manifest/manifests.ts renders it). */
export const NOTIFICATION_ICON = 'Icon.16x16';

const promisify = <T>(call: (cb: (r: AsyncResult<T>) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => call((r) => (r.status === 'succeeded' ? resolve(r.value) : reject(new Error(r.error?.message ?? 'Office call failed')))));

const toAddress = (d: EmailAddressDetails | null | undefined): MailAddress | null =>
  d?.emailAddress ? { email: d.emailAddress, name: d.displayName || d.emailAddress } : null;

const isRecipients = (v: unknown): v is Recipients => typeof (v as Recipients | undefined)?.getAsync === 'function';

async function readList(v: EmailAddressDetails[] | Recipients | undefined): Promise<MailAddress[]> {
  if (!v) return [];
  const list = isRecipients(v) ? await promisify<EmailAddressDetails[]>((cb) => v.getAsync(cb)).catch(() => []) : v;
  return list.map(toAddress).filter((a): a is MailAddress => a !== null);
}

async function readOne(v: MailItem['from']): Promise<MailAddress | null> {
  if (!v) return null;
  if ('getAsync' in v && typeof v.getAsync === 'function') {
    // Compose-mode From needs Mailbox 1.7; without it, compose has no sender to show.
    return toAddress(await promisify<EmailAddressDetails>((cb) => v.getAsync(cb)).catch(() => null));
  }
  return toAddress(v as EmailAddressDetails);
}

async function readSubject(v: MailItem['subject']): Promise<string | null> {
  if (v == null) return null;
  if (typeof v === 'string') return v;
  return promisify<string>((cb) => v.getAsync(cb)).catch(() => null);
}

/**
 * Outlook through Office.js: read mode (`item.from/to/cc`), compose mode (`to/cc.getAsync` +
 * RecipientsChanged, Mailbox 1.7), appointments (organizer/attendees), and a pinned pane that follows
 * ItemChanged. ItemChanged is unreliable in practice (office-js #1096, #4952, #6833), so the pane also
 * re-reads the item whenever it becomes visible or focused, and treats a null item as "nothing selected".
 */
export function officeMailHost(office: OfficeStatic): MailHost {
  const mailbox = office.context.mailbox!;
  const listeners = new Set<() => void>();
  const fire = () => {
    for (const l of [...listeners]) l();
  };
  let recipientsHandlerOn: MailItem | null = null;

  function watchRecipients() {
    const item = mailbox.item;
    if (!item || item === recipientsHandlerOn || !item.addHandlerAsync || !office.EventType.RecipientsChanged) return;
    if (!isRecipients(item.to)) return;
    recipientsHandlerOn = item;
    try {
      item.addHandlerAsync(office.EventType.RecipientsChanged, fire);
    } catch {
      // Mailbox < 1.7: compose recipients are still re-read on focus/visibility.
    }
  }

  try {
    mailbox.addHandlerAsync(office.EventType.ItemChanged, () => {
      watchRecipients();
      fire();
    });
  } catch {
    // Not pinnable here (Mailbox < 1.5): each item opens its own pane.
  }
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') fire();
    });
    window.addEventListener('focus', fire);
  }
  watchRecipients();

  return {
    async readItem(): Promise<MailItemPeople | null> {
      const item = mailbox.item;
      if (!item) return null;
      const compose = isRecipients(item.to) || isRecipients(item.requiredAttendees);
      const appointment = item.itemType === 'appointment';
      const [from, to, cc, subject] = await Promise.all([
        readOne(appointment ? item.organizer : item.from),
        readList(appointment ? item.requiredAttendees : item.to),
        readList(appointment ? item.optionalAttendees : item.cc),
        readSubject(item.subject),
      ]);
      return { mode: compose ? 'compose' : 'read', itemId: item.itemId ?? null, subject, from, to, cc };
    },
    async readBody() {
      const item = mailbox.item;
      if (!item) return '';
      // HTML, not text: Outlook on the web and new Outlook drop the URL of a link that has display
      // text from the text body (office-js#4111) and run paragraphs together; the links are what
      // the pane reads the body for. Text only when the host will not give HTML.
      const read = (coercion: string) => promisify<string>((cb) => item.body.getAsync(coercion, cb));
      return read(office.CoercionType.Html ?? 'html').catch(() => read(office.CoercionType.Text ?? 'text').catch(() => ''));
    },
    onItemChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async notify(key, message) {
      const item = mailbox.item;
      if (!item?.notificationMessages) return;
      // An informational message must name an icon by its image id in the manifest (<bt:Image id>),
      // or Outlook rejects the call.
      await promisify<void>((cb) =>
        item.notificationMessages!.replaceAsync(
          key,
          { type: 'informationalMessage', message: message.slice(0, 150), icon: NOTIFICATION_ICON, persistent: false },
          cb,
        ),
      ).catch(() => {});
    },
  };
}
