import { Caption1, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useEffect, useId, useMemo, useState } from 'react';
import type { DocParticipantDto } from '../../../api/contract/documents.js';
import { PersonCardButton, usePersonPhoto } from '../people/index.js';
import { PresenceAvatar } from '../presence/index.js';
import { useApi, useRealtime } from '../services/index.js';
import { documentLabel, extractDocumentLinks } from './document-links.js';
import { watchLinkedDocuments, type LinkedDocument } from './linked-watch.js';
import { whereLabel } from './where-label.js';

export interface LinkedDocumentsProps {
  /** Body of the mail item (plain text or HTML). */
  readonly body: string;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}` },
  doc: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    borderLeft: `3px solid ${tokens.colorPaletteGreenBorder2}`,
    paddingLeft: tokens.spacingHorizontalS,
  },
  people: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  person: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  line: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
});

function Editor({ person }: { person: DocParticipantDto }) {
  const s = useStyles();
  const photo = usePersonPhoto(person.personId);
  const where = useId();
  return (
    <li className={s.person} data-testid="linked-editor" data-email={person.email}>
      <PersonCardButton personId={person.personId} label={person.displayName} describedBy={where}>
        <PresenceAvatar name={person.displayName} email={person.email} photoUrl={photo} size={24} />
        <Text className={s.line}>{person.displayName}</Text>
        <Caption1 id={where} className={s.line} data-testid="linked-editor-where">
          {whereLabel(person.position)}
        </Caption1>
      </PersonCardButton>
    </li>
  );
}

/**
 * For the Outlook pane: the documents a message links to that someone has open now, one
 * "being edited now" row each, with the people in it and their presence. Live: the server pushes
 * every change (joins, leaves, moves) while the message is shown.
 */
export function LinkedDocuments({ body }: LinkedDocumentsProps) {
  const s = useStyles();
  const api = useApi();
  const realtime = useRealtime();
  const urls = useMemo(() => extractDocumentLinks(body), [body]);
  const [results, setResults] = useState<readonly LinkedDocument[]>([]);

  useEffect(() => {
    setResults([]);
    if (!urls.length) return;
    return watchLinkedDocuments(api, realtime, urls, setResults);
  }, [api, realtime, urls]);

  // One row per document, even when the message links to it twice in different spellings.
  const rows = new Map<string, LinkedDocument>();
  for (const r of results) if (r.docKey && r.participants.length && !rows.has(r.docKey)) rows.set(r.docKey, r);
  if (!rows.size) return null;
  return (
    <section className={s.root} aria-label="Linked documents being edited now" data-testid="linked-documents">
      {[...rows.values()].map((r) => (
        <div key={r.docKey} className={s.doc} data-testid="linked-document" data-url={r.url}>
          <Text weight="semibold" className={s.line} title={r.url}>
            {documentLabel(r.url)} · being edited now
          </Text>
          <ul className={s.people}>
            {r.participants.map((p) => (
              <Editor key={p.personId} person={p} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
