import { useEffect, useState } from 'react';
import type { MailItemPeople } from '../office/index.js';
import { useOfficeHost } from '../services/index.js';

/** The body of the current item, HTML where the host gives it (for linked documents); '' while unknown. */
export function useMailBody(item: MailItemPeople | null): string {
  const host = useOfficeHost();
  const [body, setBody] = useState('');
  const key = item ? `${item.itemId ?? ''}|${item.subject ?? ''}` : null;
  useEffect(() => {
    setBody('');
    if (!key || !host.mail) return;
    let live = true;
    void host.mail.readBody().then((b) => live && setBody(b));
    return () => {
      live = false;
    };
  }, [host, key]);
  return body;
}
