import { Button, Dialog, DialogBody, DialogContent, DialogSurface, DialogTitle, Text } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApi, usePaneNavigation } from '../services/index.js';
import { ContactCard } from './contact-card.js';
import { ContactCardContext, type ContactCardTarget } from './contact-card-context.js';
import { resolveAddresses } from './lookup-cache.js';

/** Hosts the contact card dialog for the pane; cards opened from a card stack up with a Back button. */
export function ContactCardProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [stack, setStack] = useState<string[]>([]);
  const [notFound, setNotFound] = useState<string | null>(null);

  const open = useCallback(
    (target: ContactCardTarget) => {
      if ('id' in target) {
        setNotFound(null);
        setStack([target.id]);
        return;
      }
      void resolveAddresses(api, [target.email]).then((m) => {
        const r = m.get(target.email.trim().toLowerCase());
        if (r?.state === 'known') {
          setNotFound(null);
          setStack([r.person.id]);
        } else {
          setStack([]);
          setNotFound(target.email);
        }
      });
    },
    [api],
  );
  const opener = useMemo(() => ({ open }), [open]);
  // "Chat with …" on a card switches the pane's view: the card makes way for the conversation.
  const { view } = usePaneNavigation();
  useEffect(() => {
    setStack([]);
    setNotFound(null);
  }, [view]);
  const current = stack[stack.length - 1];
  const close = () => {
    setStack([]);
    setNotFound(null);
  };

  return (
    <ContactCardContext.Provider value={opener}>
      {children}
      <Dialog open={current !== undefined || notFound !== null} onOpenChange={(_, d) => !d.open && close()}>
        <DialogSurface aria-label="Contact card" style={{ maxWidth: 'min(420px, calc(100vw - 16px))', padding: 16 }}>
          <DialogBody>
            <DialogTitle
              action={
                <Button appearance="subtle" size="small" aria-label="Close contact card" onClick={close}>
                  <span aria-hidden>✕</span>
                </Button>
              }
            >
              {stack.length > 1 ? (
                <Button appearance="subtle" size="small" onClick={() => setStack((s) => s.slice(0, -1))} aria-label="Back to the previous card">
                  ← Back
                </Button>
              ) : (
                'Contact card'
              )}
            </DialogTitle>
            <DialogContent>
              {current !== undefined ? (
                <ContactCard personId={current} onNavigate={(id) => setStack((s) => [...s, id])} />
              ) : (
                <Text>{notFound} is not in the directory.</Text>
              )}
            </DialogContent>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </ContactCardContext.Provider>
  );
}
