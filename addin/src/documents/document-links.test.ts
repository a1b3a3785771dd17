import { describe, expect, it } from '@jest/globals';
import { documentLabel, extractDocumentLinks, isDocumentLink } from './document-links.js';

const SP = 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Budget%202027.docx';

describe('extractDocumentLinks', () => {
  it('finds links in plain text, without sentence punctuation', () => {
    const body = `Hi,\n\nthe draft is at ${SP}.\nAlso see (https://files.example.org/Q3.xlsx), and https://www.example.com/news for context.`;
    expect(extractDocumentLinks(body)).toEqual([SP, 'https://files.example.org/Q3.xlsx']);
  });

  it('finds links in HTML hrefs, decoding entities, once each', () => {
    const share = 'https://contoso.sharepoint.com/:w:/r/sites/finance/_layouts/15/Doc.aspx?sourcedoc=%7BAB%7D&amp;file=Budget.docx&amp;action=default';
    const body = `<p>See <a href="${share}">Budget</a> and <a href='${SP}'>${SP}</a> and <a href=https://example.com/>site</a></p>`;
    expect(extractDocumentLinks(body)).toEqual([share.replace(/&amp;/g, '&'), SP]);
  });

  it('keeps OneDrive, Office URI schemes and product links; drops other pages', () => {
    const body = [
      'https://1drv.ms/w/s!AbCdEf123',
      'https://onedrive.live.com/edit.aspx?resid=ABC!1',
      `ms-word:ofe|u|${SP}`,
      'https://presence.contoso.com/addin/word.html?docKey=AbCdEfGhIjKlMnOpQrStUv',
      'https://presence.contoso.com/addin/word.html?docKey=short',
      'mailto:alice@contoso.test',
      'https://github.com/x/y',
    ].join('\n');
    expect(extractDocumentLinks(body)).toEqual([
      'https://1drv.ms/w/s!AbCdEf123',
      'https://onedrive.live.com/edit.aspx?resid=ABC!1',
      `ms-word:ofe|u|${SP}`,
      'https://presence.contoso.com/addin/word.html?docKey=AbCdEfGhIjKlMnOpQrStUv',
    ]);
  });

  it('caps the number of links', () => {
    const body = Array.from({ length: 80 }, (_, i) => `https://contoso.sharepoint.com/sites/x/D/f${i}.docx`).join(' ');
    expect(extractDocumentLinks(body)).toHaveLength(50);
  });

  it('is safe on odd input', () => {
    expect(extractDocumentLinks('')).toEqual([]);
    expect(extractDocumentLinks('href= http://%%%.docx <a href="">')).toEqual([]);
    expect(isDocumentLink('https://x.test/a%E0.docx')).toBe(true);
  });
});

describe('documentLabel', () => {
  it('uses the file name when there is one', () => {
    expect(documentLabel(SP)).toBe('Budget 2027.docx');
    expect(documentLabel('https://contoso.sharepoint.com/sites/f/_layouts/15/Doc.aspx?sourcedoc=%7BA%7D&file=Plan.docx')).toBe('Plan.docx');
    expect(documentLabel('https://1drv.ms/w/s!AbC')).toBe('1drv.ms');
  });

  it('leaves numeric entities that are no character as text: a crafted mail must not break the pane', () => {
    const body =
      'see https://contoso.sharepoint.com/x&#x110000;.docx and https://contoso.sharepoint.com/y&#xD800;.docx and https://contoso.sharepoint.com/&#x7a;.docx';
    expect(() => extractDocumentLinks(body)).not.toThrow();
    expect(extractDocumentLinks(body)).toEqual([
      'https://contoso.sharepoint.com/x&#x110000;.docx',
      'https://contoso.sharepoint.com/y&#xD800;.docx',
      'https://contoso.sharepoint.com/z.docx',
    ]);
  });
});
