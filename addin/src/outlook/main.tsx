import { ChatPanel } from '../chat/index.js';
import { mountPane } from '../shell/index.js';
import { PeopleView } from './people-view.js';

mountPane({
  app: 'outlook',
  views: ['people', 'chat'],
  render: (view) => (view === 'people' ? <PeopleView /> : <ChatPanel />),
});
