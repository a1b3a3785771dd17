import { describe, expect, it } from '@jest/globals';
import type { AsyncResult, OfficeStatic, WordContext, WordParagraph, WordRange, WordStatic } from './office-js-types.js';
import { officeWordHost } from './office-word-host.js';

// A small in-memory Word document (the external boundary): paragraphs, a selection, settings.

interface Para {
  text: string;
  style: string;
}

function fakeWord(paras: Para[], selected: number) {
  const state = { selected, selectedMode: '', textsLoaded: 0 };
  // As in Office.js, a property is readable only once loaded (and synced): reading it before throws.
  const paragraph = (i: number, props: readonly string[]): WordParagraph => {
    const loaded = new Set(props);
    const p: WordParagraph = {
      get text() {
        if (!loaded.has('text')) throw new Error('PropertyNotLoaded: text');
        return paras[i].text;
      },
      get styleBuiltIn() {
        if (!loaded.has('styleBuiltIn')) throw new Error('PropertyNotLoaded: styleBuiltIn');
        return paras[i].style;
      },
      load(names: string) {
        for (const n of names.split(',')) {
          if (n === 'text' && !loaded.has('text')) state.textsLoaded++;
          loaded.add(n);
        }
        return p;
      },
      select(mode) {
        state.selected = i;
        state.selectedMode = mode ?? 'Select';
      },
    };
    return p;
  };
  const collection = (from: number, to: number) => {
    const c = {
      items: [] as WordParagraph[],
      load(names: string) {
        // 'items' alone loads every property; 'items/x,items/y' only those.
        const props = names === 'items' ? ['text', 'styleBuiltIn'] : names.split(',').map((n) => n.replace(/^items\//, ''));
        if (props.includes('text')) state.textsLoaded += to - from + 1;
        c.items = Array.from({ length: to - from + 1 }, (_, k) => paragraph(from + k, props));
        return c;
      },
      getFirst: () => ({ ...paragraph(from, []), getRange: () => range(from, from) }),
    };
    return c;
  };
  const range = (from: number, to: number): WordRange => ({
    paragraphs: collection(from, to) as unknown as WordRange['paragraphs'],
    getRange: (loc) => (loc === 'Start' ? range(from, from) : loc === 'End' ? range(to, to) : range(from, to)),
    expandTo: (other) => range(from, Math.max(to, (other as unknown as { end: number }).end)),
    ...{ end: to },
  });
  const ctx: WordContext = {
    document: {
      body: {
        paragraphs: collection(0, paras.length - 1) as unknown as WordContext['document']['body']['paragraphs'],
        getRange: (loc) => (loc === 'Start' ? range(0, 0) : range(0, paras.length - 1)),
      },
      getSelection: () => range(state.selected, state.selected),
    },
    sync: async () => {},
  };
  const word: WordStatic = { run: (cb) => cb(ctx) };
  const settings = new Map<string, unknown>();
  const saved = new Map<string, unknown>();
  const handlers = new Set<(a: unknown) => void>();
  const ok = (cb?: (r: AsyncResult<void>) => void) => cb?.({ status: 'succeeded', value: undefined });
  const office = {
    context: {
      document: {
        url: 'https://contoso.sharepoint.com/sites/x/Shared%20Documents/Plan%202027.docx?web=1',
        settings: {
          get: (k: string) => settings.get(k) ?? null,
          set: (k: string, v: unknown) => void settings.set(k, v),
          saveAsync: (cb?: (r: AsyncResult<void>) => void) => {
            for (const [k, v] of settings) saved.set(k, v);
            ok(cb);
          },
          refreshAsync: (cb?: (r: AsyncResult<unknown>) => void) => {
            settings.clear();
            for (const [k, v] of saved) settings.set(k, v);
            ok(cb as (r: AsyncResult<void>) => void);
          },
        },
        addHandlerAsync: (_t: string, h: (a: unknown) => void) => void handlers.add(h),
        removeHandlerAsync: (_t: string, o: { handler: (a: unknown) => void }) => void handlers.delete(o.handler),
      },
      requirements: { isSetSupported: () => true },
    },
    EventType: { DocumentSelectionChanged: 'documentSelectionChanged' },
  } as unknown as OfficeStatic;
  return { office, word, state, saved, handlers, fireSelection: () => handlers.forEach((h) => h({})) };
}

const DOC: Para[] = [
  { text: 'Plan 2027', style: 'Title' },
  { text: 'Intro text', style: 'Normal' },
  { text: 'Revenue', style: 'Heading1' },
  { text: 'Numbers', style: 'Normal' },
  { text: 'More numbers', style: 'Normal' },
  { text: '  ', style: 'Heading2' },
  { text: 'After an empty heading', style: 'Normal' },
];

describe('officeWordHost', () => {
  it('reports the selection as paragraph index + nearest non-empty heading above it', async () => {
    const fake = fakeWord(DOC, 4);
    const host = officeWordHost(fake.office, fake.word);
    expect(await host.getPosition()).toEqual({ paragraph: 4, heading: 'Revenue' });
    fake.state.selected = 6;
    expect(await host.getPosition()).toEqual({ paragraph: 6, heading: 'Revenue' });
    fake.state.selected = 1;
    expect(await host.getPosition()).toEqual({ paragraph: 1, heading: 'Plan 2027' });
  });

  it('reads the text of the nearest headings only, not of every paragraph above the cursor (a long document stays fast)', async () => {
    const long: Para[] = Array.from({ length: 10_000 }, (_, i) =>
      i === 100 ? { text: 'Early', style: 'Heading1' } : i === 9000 ? { text: 'Appendix', style: 'Heading2' } : { text: `Paragraph ${i}`, style: 'Normal' },
    );
    const fake = fakeWord(long, 9990);
    const host = officeWordHost(fake.office, fake.word);
    expect(await host.getPosition()).toEqual({ paragraph: 9990, heading: 'Appendix' });
    expect(fake.state.textsLoaded).toBeLessThanOrEqual(5);
    fake.state.textsLoaded = 0;
    await host.selectParagraph(5000);
    expect(fake.state).toMatchObject({ selected: 5000, textsLoaded: 0 });
  });

  it('selects paragraph N (clamped to the document)', async () => {
    const fake = fakeWord(DOC, 0);
    const host = officeWordHost(fake.office, fake.word);
    await host.selectParagraph(3);
    expect(fake.state).toMatchObject({ selected: 3, selectedMode: 'Start' });
    await host.selectParagraph(99);
    expect(fake.state.selected).toBe(DOC.length - 1);
  });

  it('stores settings in the document with saveAsync and reads them back after refresh', async () => {
    const fake = fakeWord(DOC, 0);
    const host = officeWordHost(fake.office, fake.word);
    expect(host.getSetting('docId')).toBeNull();
    await host.setSetting('docId', 'abc');
    expect(fake.saved.get('docId')).toBe('abc');
    await host.refreshSettings();
    expect(host.getSetting('docId')).toBe('abc');
  });

  it('derives the title from the URL and forwards selection changes until unsubscribed', () => {
    const fake = fakeWord(DOC, 0);
    const host = officeWordHost(fake.office, fake.word);
    expect(host.title()).toBe('Plan 2027.docx');
    let n = 0;
    const off = host.onSelectionChanged(() => n++);
    fake.fireSelection();
    off();
    fake.fireSelection();
    expect(n).toBe(1);
  });

  it('takes a local path that is not percent-encoded as it is ("50% plan.docx" must not break the pane)', () => {
    const fake = fakeWord(DOC, 0);
    (fake.office.context.document as { url: string }).url = 'C:\\Users\\ann\\Documents\\50% plan.docx';
    expect(officeWordHost(fake.office, fake.word).title()).toBe('50% plan.docx');
  });
});
