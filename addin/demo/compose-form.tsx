import { Body1, Button, Field, Input, makeStyles, Textarea, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { MailAddress } from '../src/office/index.js';
import type { DemoHostState, DemoSnapshot } from './demo-state.js';

const useStyles = makeStyles({
  root: {
    flex: '1 1 auto',
    minWidth: 0,
    overflowY: 'auto',
    padding: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
  },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
});

/** "name <address>" or a bare address, separated by ; or , */
export function parseRecipients(text: string): MailAddress[] {
  return text
    .split(/[;,]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(.*?)\s*<([^>]+)>$/.exec(part);
      const email = (m ? m[2] : part).trim();
      return { email, name: (m?.[1] || email).trim() };
    })
    .filter((a) => /^[^\s@]+@[^\s@]+$/.test(a.email));
}

/** A new message being written: the pane sees its recipients (getAsync) and RecipientsChanged as they change. */
export function ComposeForm({ state, snap }: { state: DemoHostState; snap: DemoSnapshot }) {
  const s = useStyles();
  const draft = snap.compose!;
  const [to, setTo] = useState(draft.to.map((a) => a.email).join('; '));
  const [cc, setCc] = useState(draft.cc.map((a) => a.email).join('; '));
  // Outlook resolves a recipient when the user leaves the well (blur / Enter), then fires RecipientsChanged.
  const commit = () => state.updateCompose({ ...draft, to: parseRecipients(to), cc: parseRecipients(cc) });
  const onKey = (e: React.KeyboardEvent) => e.key === 'Enter' && commit();
  return (
    <section className={s.root} aria-label="New message" data-testid="compose-form">
      <Body1 as="h1" style={{ margin: 0, fontWeight: 600 }}>
        New message
      </Body1>
      <Field label="To">
        <Input
          value={to}
          onChange={(_, d) => setTo(d.value)}
          onBlur={commit}
          onKeyDown={onKey}
          placeholder="name@auroraworks.example; …"
          data-testid="compose-to"
        />
      </Field>
      <Field label="Cc">
        <Input value={cc} onChange={(_, d) => setCc(d.value)} onBlur={commit} onKeyDown={onKey} data-testid="compose-cc" />
      </Field>
      <Field label="Subject">
        <Input value={draft.subject} onChange={(_, d) => state.updateCompose({ ...draft, subject: d.value })} />
      </Field>
      <Textarea resize="vertical" rows={8} placeholder="Write your message…" aria-label="Message body" />
      <div className={s.row}>
        <Button appearance="primary" disabled title="The demo host does not send mail">
          Send
        </Button>
        <Button onClick={() => state.selectMessage(null)}>Discard</Button>
      </div>
    </section>
  );
}
