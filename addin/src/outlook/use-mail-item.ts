import { useEffect, useState } from 'react';
import type { MailItemPeople } from '../office/index.js';
import { useOfficeHost } from '../services/index.js';

export type MailItemState = { readonly status: 'loading' } | { readonly status: 'none' } | { readonly status: 'ready'; readonly item: MailItemPeople };

/**
 * The current mail item, re-read on every host signal (ItemChanged, RecipientsChanged, visibility).
 * Reads can overlap when the user clicks quickly; only the newest one wins.
 */
export function useMailItem(): MailItemState {
  const host = useOfficeHost();
  const [state, setState] = useState<MailItemState>({ status: 'loading' });
  useEffect(() => {
    const mail = host.mail;
    if (!mail) {
      setState({ status: 'none' });
      return;
    }
    let seq = 0;
    let live = true;
    const read = () => {
      const mine = ++seq;
      mail.readItem().then(
        (item) => {
          if (live && mine === seq) setState(item ? { status: 'ready', item } : { status: 'none' });
        },
        () => {
          if (live && mine === seq) setState({ status: 'none' });
        },
      );
    };
    read();
    const off = mail.onItemChanged(read);
    return () => {
      live = false;
      off();
    };
  }, [host]);
  return state;
}
