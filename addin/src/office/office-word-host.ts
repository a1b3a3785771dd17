import type { DocumentHost, DocumentPosition } from './office-host.js';
import type { AsyncResult, OfficeStatic, WordParagraph, WordStatic } from './office-js-types.js';

const HEADING = /^(Heading\d|Title)$/;
/** Headings above the cursor whose text is read: the nearest one that is not blank names the position. */
const HEADINGS_READ = 5;

/**
 * Word through Office.js: settings stored in the document (Common API Settings), the URL as a hint,
 * the selection as paragraph index + nearest heading (never Word's per-session paragraph ids).
 */
export function officeWordHost(office: OfficeStatic, word: WordStatic): DocumentHost {
  const doc = office.context.document!;
  const settingsCall = (fn: ((cb: (r: AsyncResult<unknown>) => void) => void) | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (!fn) return resolve();
      fn((r) => (r.status === 'succeeded' ? resolve() : reject(new Error(r.error?.message ?? 'Settings call failed'))));
    });

  return {
    getSetting(key) {
      const v = doc.settings.get(key);
      return typeof v === 'string' ? v : null;
    },
    async setSetting(key, value) {
      doc.settings.set(key, value);
      await settingsCall((cb) => doc.settings.saveAsync(cb as (r: AsyncResult<void>) => void));
    },
    refreshSettings: () => settingsCall(doc.settings.refreshAsync?.bind(doc.settings)),
    url: () => doc.url || null,
    title() {
      const url = doc.url;
      if (!url) return null;
      const raw = url.split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
      let last = raw;
      try {
        last = decodeURIComponent(raw);
      } catch {
        // A local or desktop SharePoint path is not percent-encoded: "50% plan.docx" is its own name.
      }
      return last || null;
    },
    getPosition(): Promise<DocumentPosition | null> {
      // Runs on selection moves (typing too) and each heartbeat: only the styles of the paragraphs
      // above the cursor cross the Office bridge, then the text of the nearest headings alone.
      // Loading every paragraph's text moved hundreds of KB per call near the end of a long document.
      return word
        .run(async (ctx) => {
          const start = ctx.document.getSelection().getRange('Start');
          const before = ctx.document.body.getRange('Start').expandTo(start);
          const paras = before.paragraphs.load('items/styleBuiltIn');
          await ctx.sync();
          const items = paras.items;
          if (items.length === 0) return null;
          const headings: WordParagraph[] = [];
          for (let i = items.length - 1; i >= 0 && headings.length < HEADINGS_READ; i--) {
            if (HEADING.test(items[i].styleBuiltIn ?? '')) headings.push(items[i].load('text'));
          }
          if (headings.length) await ctx.sync();
          const heading = headings.map((h) => h.text.trim()).find(Boolean);
          return { paragraph: items.length - 1, heading: heading ? heading.slice(0, 200) : null };
        })
        .catch(() => null);
    },
    async selectParagraph(index) {
      await word.run(async (ctx) => {
        // One small property: loading 'items' alone would bring every property of every paragraph.
        const paras = ctx.document.body.paragraphs.load('items/styleBuiltIn');
        await ctx.sync();
        const p = paras.items[Math.max(0, Math.min(index, paras.items.length - 1))];
        p?.select('Start');
        await ctx.sync();
      });
    },
    onSelectionChanged(listener) {
      const handler = () => listener();
      doc.addHandlerAsync(office.EventType.DocumentSelectionChanged, handler);
      return () => doc.removeHandlerAsync(office.EventType.DocumentSelectionChanged, { handler });
    },
  };
}
