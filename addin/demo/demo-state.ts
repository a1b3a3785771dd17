import type { DemoBridge, MailAddress, MailItemPeople } from '../src/office/index.js';
import { DEMO_DOCUMENT_TITLE, DEMO_PARAGRAPHS, headingAbove } from './demo-document.js';
import { DEMO_DOCUMENT_URL, DEMO_MESSAGES } from './demo-messages.js';
import { DEFAULT_PERSON, DEMO_PEOPLE } from './demo-people.js';

export interface ComposeDraft {
  readonly subject: string;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
}

/** Everything the fake Office window shows; the panes see it only through the DemoBridge. */
export interface DemoSnapshot {
  readonly identity: { readonly email: string; readonly name: string | null };
  readonly app: 'outlook' | 'word';
  readonly dark: boolean;
  readonly selectedMessageId: string | null;
  readonly compose: ComposeDraft | null;
  readonly paragraph: number;
  readonly notifications: readonly { readonly id: number; readonly text: string }[];
}

type Change = 'item' | 'theme' | 'selection';

function initialSnapshot(): DemoSnapshot {
  const params = new URLSearchParams(window.location.search);
  const as = params.get('as')?.trim().toLowerCase() || DEFAULT_PERSON.email;
  const known = DEMO_PEOPLE.find((p) => p.email === as);
  return {
    identity: { email: as, name: known?.name ?? null },
    app: params.get('app') === 'word' ? 'word' : 'outlook',
    dark: params.get('theme') === 'dark',
    selectedMessageId: params.has('message') ? params.get('message') || null : DEMO_MESSAGES[0].id,
    compose: null,
    paragraph: 0,
    notifications: [],
  };
}

/**
 * The demo host's state and the DemoBridge the pane iframes read (window.__demoHost). The URL
 * chooses the identity (`?as=`), the app (`?app=word`), the theme (`?theme=dark`) and the first message.
 */
export class DemoHostState {
  #snapshot: DemoSnapshot = initialSnapshot();
  readonly #renderListeners = new Set<() => void>();
  readonly #bridgeListeners = new Set<(what: Change) => void>();
  #nextNotification = 1;

  get snapshot(): DemoSnapshot {
    return this.#snapshot;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#renderListeners.add(listener);
    return () => this.#renderListeners.delete(listener);
  };

  #update(patch: Partial<DemoSnapshot>, change?: Change) {
    this.#snapshot = { ...this.#snapshot, ...patch };
    for (const l of [...this.#renderListeners]) l();
    if (change)
      for (const l of [...this.#bridgeListeners]) {
        // A listener of a pane frame that has since reloaded may throw: it goes, the others still hear.
        try {
          l(change);
        } catch {
          this.#bridgeListeners.delete(l);
        }
      }
  }

  selectMessage(id: string | null) {
    this.#update({ selectedMessageId: id, compose: null }, 'item');
  }
  startCompose() {
    this.#update({ compose: { subject: '', to: [], cc: [] }, selectedMessageId: null }, 'item');
  }
  updateCompose(draft: ComposeDraft) {
    this.#update({ compose: draft }, 'item');
  }
  setApp(app: 'outlook' | 'word') {
    this.#update({ app });
  }
  setDark(dark: boolean) {
    this.#update({ dark }, 'theme');
  }
  selectParagraph(index: number) {
    const paragraph = Math.max(0, Math.min(index, DEMO_PARAGRAPHS.length - 1));
    this.#update({ paragraph }, 'selection');
  }
  dismissNotification(id: number) {
    this.#update({ notifications: this.#snapshot.notifications.filter((n) => n.id !== id) });
  }

  readonly bridge: DemoBridge = {
    version: 1,
    identity: () => this.#snapshot.identity,
    theme: () => ({ isDark: this.#snapshot.dark }),
    subscribe: (listener) => {
      this.#bridgeListeners.add(listener);
      return () => this.#bridgeListeners.delete(listener);
    },
    notify: (text) => {
      const n = { id: this.#nextNotification++, text: String(text).slice(0, 200) };
      this.#update({ notifications: [...this.#snapshot.notifications, n].slice(-3) });
      setTimeout(() => this.dismissNotification(n.id), 8000);
    },
    mail: {
      item: (): MailItemPeople | null => {
        const s = this.#snapshot;
        if (s.compose)
          return {
            mode: 'compose',
            itemId: null,
            subject: s.compose.subject || null,
            from: { email: s.identity.email, name: s.identity.name ?? s.identity.email },
            to: s.compose.to,
            cc: s.compose.cc,
          };
        const m = DEMO_MESSAGES.find((x) => x.id === s.selectedMessageId);
        return m ? { mode: 'read', itemId: m.id, subject: m.subject, from: m.from, to: m.to, cc: m.cc } : null;
      },
      body: () => DEMO_MESSAGES.find((x) => x.id === this.#snapshot.selectedMessageId)?.body ?? '',
    },
    document: {
      url: () => DEMO_DOCUMENT_URL,
      title: () => DEMO_DOCUMENT_TITLE,
      getSetting: (key) => localStorage.getItem(settingKey(key)),
      setSetting: (key, value) => localStorage.setItem(settingKey(key), String(value)),
      position: () => ({ paragraph: this.#snapshot.paragraph, heading: headingAbove(this.#snapshot.paragraph) }),
      selectParagraph: (index) => this.selectParagraph(index),
    },
  };
}

// Settings "in the file": per browser profile here, since the demo has no shared file.
const settingKey = (key: string) => `demo-doc:${DEMO_DOCUMENT_URL}:${key}`;
