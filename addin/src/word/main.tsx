import { ChatPanel } from '../chat/index.js';
import { mountPane } from '../shell/index.js';
import { DocumentView } from './document-view.js';

mountPane({
  app: 'word',
  views: ['document', 'chat'],
  render: (view) => (view === 'document' ? <DocumentView /> : <ChatPanel />),
});
