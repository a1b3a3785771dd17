import { Spinner } from '@fluentui/react-components';
import { LinkedDocuments } from '../documents/index.js';
import { EmptyState } from '../shell/index.js';
import { MessagePeople } from './message-people.js';
import { useMailBody } from './use-mail-body.js';
import { useMailItem } from './use-mail-item.js';

/** The Outlook pane's People view: the current item's people and its linked documents. */
export function PeopleView() {
  const state = useMailItem();
  const item = state.status === 'ready' ? state.item : null;
  const body = useMailBody(item);
  if (state.status === 'loading') return <Spinner size="small" style={{ marginTop: 24 }} label="Reading the message…" />;
  if (!item)
    return (
      <EmptyState title="Select a message" testId="no-item">
        The people on the message you select appear here, with their presence.
      </EmptyState>
    );
  return (
    <>
      <MessagePeople item={item} />
      {body && <LinkedDocuments body={body} />}
    </>
  );
}
