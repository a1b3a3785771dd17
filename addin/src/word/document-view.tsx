import { Caption1, makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { ChatButton } from '../chat/index.js';
import { CoauthorList, useDocumentSession } from '../documents/index.js';
import { useMe, useOfficeHost } from '../services/index.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalM },
  title: { margin: 0, overflowWrap: 'anywhere' },
});

/** The Word pane's Document view: the document, who else is in it (co-authoring feature), chat with them. */
export function DocumentView() {
  const s = useStyles();
  const host = useOfficeHost();
  const me = useMe();
  const session = useDocumentSession();
  const title = host.document?.title() ?? null;
  const others = [...new Set(session.participants.map((p) => p.email).filter((e) => e && e.toLowerCase() !== me.person.email?.toLowerCase()))];
  return (
    <section className={s.root} aria-label="This document" data-testid="document-view">
      <Subtitle2 as="h2" className={s.title}>
        {title ?? 'This document'}
      </Subtitle2>
      {!host.document && <Caption1>Open this pane from Word to see who else is in the document.</Caption1>}
      <CoauthorList />
      {others.length > 0 && (
        <div>
          <ChatButton
            emails={others}
            topic={title ?? undefined}
            label={others.length === 1 ? 'Chat with your co-author' : `Chat with all co-authors (${others.length})`}
          />
        </div>
      )}
    </section>
  );
}
