import { createContext, useContext } from 'react';

/** Which person to show: by directory id, or by address (resolved first). */
export type ContactCardTarget = { readonly id: string } | { readonly email: string };

export interface ContactCardOpener {
  open(target: ContactCardTarget): void;
}

export const ContactCardContext = createContext<ContactCardOpener>({ open: () => {} });

/** Opens the contact card dialog from anywhere inside the pane. */
export const useContactCard = (): ContactCardOpener => useContext(ContactCardContext);
