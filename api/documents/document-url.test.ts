import { describe, expect, it } from '@jest/globals';
import { classifyDocumentUrl, documentUrlKeys, normaliseGuid } from './document-url.js';

const GUID = '5b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const GUID_HEX = GUID.replace(/-/g, '');
const PATH_KEY = 'sp-path:contoso.sharepoint.com/sites/finance/shared documents/budget 2027.docx';
const ID_KEY = `sp-id:contoso.sharepoint.com/${GUID}`;

/** Two URLs name the same document when they share at least one identity key. */
const sameDocument = (a: string, b: string) => documentUrlKeys(a).some((k) => documentUrlKeys(b).includes(k));

describe('normaliseGuid', () => {
  it('accepts braces, case and missing dashes', () => {
    expect(normaliseGuid(`{${GUID.toUpperCase()}}`)).toBe(GUID);
    expect(normaliseGuid(GUID_HEX)).toBe(GUID);
    expect(normaliseGuid('%7B' + GUID + '%7D')).toBeNull();
    expect(normaliseGuid('not-a-guid')).toBeNull();
    expect(normaliseGuid(null)).toBeNull();
  });
});

describe('SharePoint path URLs', () => {
  const base = 'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Budget%202027.docx';

  it('keys a file path by host and case-folded, decoded path', () => {
    expect(documentUrlKeys(base)).toEqual([PATH_KEY]);
  });

  it.each([
    ['query string ?web=1', `${base}?web=1`],
    ['d=w… plus csf/e', `${base}?d=w${GUID_HEX}&csf=1&web=1&e=AbC123`],
    ['fragment', `${base}#section-2`],
    ['host case', base.replace('contoso.sharepoint.com', 'Contoso.SharePoint.COM')],
    ['path case', base.replace('Shared%20Documents', 'shared%20documents').replace('Budget', 'BUDGET')],
    ['literal spaces', 'https://contoso.sharepoint.com/sites/finance/Shared Documents/Budget 2027.docx'],
    ['double encoding', base.replace(/%20/g, '%2520')],
    ['encoded letters', base.replace('finance', '%66inance')],
    ['default port', base.replace('.com/', '.com:443/')],
    ['trailing dot in host', base.replace('.com/', '.com./')],
    ['duplicate slashes', base.replace('/sites/', '//sites//')],
    ['action=edit', `${base}?action=edit&wdOrigin=OFFICECOM`],
  ])('does not split on %s', (_what, variant) => {
    expect(documentUrlKeys(variant)).toContain(PATH_KEY);
  });

  it('gives the GUID key too when the link carries d=w…', () => {
    expect(documentUrlKeys(`${base}?d=w${GUID_HEX}`)).toEqual([ID_KEY, PATH_KEY]);
  });

  it('keeps different files and different hosts apart', () => {
    expect(sameDocument(base, base.replace('Budget%202027', 'Budget%202026'))).toBe(false);
    expect(sameDocument(base, base.replace('contoso.sharepoint.com', 'fabrikam.sharepoint.com'))).toBe(false);
    expect(sameDocument(base, base.replace('/finance/', '/sales/'))).toBe(false);
  });

  it('ignores pages that are not files', () => {
    expect(documentUrlKeys('https://contoso.sharepoint.com/sites/finance')).toEqual([]);
    expect(documentUrlKeys('https://contoso.sharepoint.com/sites/finance/SitePages/Home.aspx')).toEqual([]);
    expect(documentUrlKeys('https://contoso.sharepoint.com/_layouts/15/viewlsts.aspx')).toEqual([]);
  });
});

describe('SharePoint Doc.aspx and WOPI forms', () => {
  it.each([
    [
      `https://contoso.sharepoint.com/sites/finance/_layouts/15/Doc.aspx?sourcedoc=%7B${GUID.toUpperCase()}%7D&file=Budget%202027.docx&action=default&mobileredirect=true`,
    ],
    [`https://contoso.sharepoint.com/sites/finance/_layouts/15/Doc.aspx?sourcedoc={${GUID}}&file=Budget.docx`],
    [`https://contoso.sharepoint.com/sites/finance/_layouts/15/doc2.aspx?sourcedoc=${GUID}&action=edit`],
    [`https://CONTOSO.sharepoint.com/sites/finance/_layouts/15/WopiFrame.aspx?sourcedoc=%7B${GUID}%7D&action=view`],
    [`https://contoso.sharepoint.com/sites/finance/_layouts/15/Doc.aspx?sourcedoc=%7B${GUID}%7D#anchor`],
  ])('%s → the GUID key', (url) => {
    expect(documentUrlKeys(url)).toEqual([ID_KEY]);
  });

  it('keys a WopiFrame sourcedoc path like the path itself', () => {
    const url =
      'https://contoso.sharepoint.com/sites/finance/_layouts/15/WopiFrame.aspx?sourcedoc=/sites/finance/Shared%20Documents/Budget%202027.docx&action=default';
    expect(documentUrlKeys(url)).toEqual([PATH_KEY]);
  });

  it('reads the file out of a library view (?id=)', () => {
    const url =
      'https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Forms/AllItems.aspx?id=%2Fsites%2Ffinance%2FShared%20Documents%2FBudget%202027.docx&parent=%2Fsites%2Ffinance';
    expect(documentUrlKeys(url)).toEqual([PATH_KEY]);
    expect(documentUrlKeys('https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Forms/AllItems.aspx')).toEqual([]);
  });
});

describe('sharing links', () => {
  it('derives the path of /:w:/r/ links', () => {
    const url = `https://contoso.sharepoint.com/:w:/r/sites/finance/Shared%20Documents/Budget%202027.docx?d=w${GUID_HEX}&csf=1&web=1&e=x1Y2z3`;
    expect(documentUrlKeys(url)).toEqual([ID_KEY, PATH_KEY]);
  });

  it('derives the GUID of /:w:/r/ links to Doc.aspx', () => {
    const url = `https://contoso.sharepoint.com/:w:/r/sites/finance/_layouts/15/Doc.aspx?sourcedoc=%7B${GUID}%7D&file=Budget%202027.docx&action=default&mobileredirect=true`;
    expect(documentUrlKeys(url)).toEqual([ID_KEY]);
  });

  it('derives a /:w:/g/ link that names a file path', () => {
    expect(documentUrlKeys('https://contoso.sharepoint.com/:w:/g/sites/finance/Shared%20Documents/Budget%202027.docx?e=abc')).toEqual([PATH_KEY]);
  });

  it('keys opaque /:w:/g/ and /:w:/s/ tokens by token, ignoring the per-recipient e=', () => {
    const a = 'https://contoso.sharepoint.com/:w:/g/personal/alice_contoso_com/EYxAbCdEfGhIjKlMnOp1234?e=4%3AabCD';
    const b = 'https://contoso.sharepoint.com/:w:/g/personal/alice_contoso_com/EYxAbCdEfGhIjKlMnOp1234?e=Zz9';
    expect(documentUrlKeys(a)).toEqual(['sp-share:contoso.sharepoint.com/personal/alice_contoso_com/EYxAbCdEfGhIjKlMnOp1234']);
    expect(sameDocument(a, b)).toBe(true);
    // Tokens are case-sensitive: a different token is a different link.
    expect(sameDocument(a, a.replace('EYxAb', 'EYxab'))).toBe(false);
  });

  it('uses d=w… of an opaque link as the GUID key', () => {
    const url = `https://contoso.sharepoint.com/:w:/s/finance/EYxAbCdEfGhIjKlMnOp1234?d=w${GUID_HEX}&e=q`;
    expect(documentUrlKeys(url)).toEqual([ID_KEY, 'sp-share:contoso.sharepoint.com/finance/EYxAbCdEfGhIjKlMnOp1234']);
  });
});

describe('OneDrive', () => {
  it('personal OneDrive for Business paths behave like SharePoint', () => {
    const a = 'https://contoso-my.sharepoint.com/personal/alice_contoso_com/Documents/Plan.docx?web=1';
    const b = `https://contoso-my.sharepoint.com/:w:/r/personal/alice_contoso_com/Documents/Plan.docx?d=w${GUID_HEX}&csf=1`;
    expect(documentUrlKeys(a)).toEqual(['sp-path:contoso-my.sharepoint.com/personal/alice_contoso_com/documents/plan.docx']);
    expect(sameDocument(a, b)).toBe(true);
  });

  it('consumer OneDrive: resid, d.docs.live.net and 1drv.ms', () => {
    expect(documentUrlKeys('https://onedrive.live.com/edit.aspx?resid=ABCDEF0123456789!123&cid=abcdef0123456789&app=Word')).toEqual([
      'od-id:abcdef0123456789!123',
    ]);
    expect(
      sameDocument('https://onedrive.live.com/redir?resid=ABCDEF0123456789!123', 'https://onedrive.live.com/edit.aspx?resid=abcdef0123456789!123&wdo=2'),
    ).toBe(true);
    expect(documentUrlKeys('https://d.docs.live.net/abcdef0123456789/Documents/Plan%20B.docx')).toEqual(['od-path:/abcdef0123456789/documents/plan b.docx']);
    expect(documentUrlKeys('https://1drv.ms/w/s!AbCdEf123?e=xyz')).toEqual(['od-share:/w/s!AbCdEf123']);
    expect(documentUrlKeys('https://onedrive.live.com/')).toEqual([]);
  });
});

describe('other forms', () => {
  it('unwraps Office URI schemes', () => {
    expect(documentUrlKeys('ms-word:ofe|u|https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Budget%202027.docx')).toEqual([PATH_KEY]);
    expect(documentUrlKeys('ms-word:https://contoso.sharepoint.com/sites/finance/Shared%20Documents/Budget%202027.docx')).toEqual([PATH_KEY]);
  });

  it('keys Office files on plain web servers by exact path, without the query or fragment', () => {
    const a = 'https://files.example.org/Reports/Q3.docx?download=1#p2';
    expect(documentUrlKeys(a)).toEqual(['url:https://files.example.org/Reports/Q3.docx']);
    expect(sameDocument(a, 'https://FILES.example.org/Reports/Q3.docx')).toBe(true);
    // Plain web servers may be case-sensitive: only SharePoint paths are case-folded.
    expect(sameDocument(a, 'https://files.example.org/reports/q3.docx')).toBe(false);
    expect(sameDocument(a, 'http://files.example.org/Reports/Q3.docx')).toBe(false);
  });

  it('recognises the product’s own document links', () => {
    expect(classifyDocumentUrl('https://presence.contoso.com/addin/word.html?docKey=AbCdEfGhIjKlMnOpQrStUv')).toEqual({
      kind: 'product',
      docKey: 'AbCdEfGhIjKlMnOpQrStUv',
    });
  });

  it.each([
    ['mailto:alice@contoso.test'],
    ['javascript:alert(1)'],
    ['ftp://x/y.docx'],
    ['not a url'],
    [''],
    ['https://www.example.com/'],
    ['https://example.com/page.html'],
    ['https://contoso.sharepoint.com/:w:/r'],
  ])('%s is not a document link', (url) => {
    expect(classifyDocumentUrl(url)).toBeNull();
  });

  it('never throws on hostile input', () => {
    for (const s of ['https://%', 'https://x/%E0%A4%A', 'https://x/' + '%'.repeat(5000) + '.docx', 'https://[::1]/a.docx', 'https://x/a.docx?id=%']) {
      expect(() => documentUrlKeys(s)).not.toThrow();
    }
  });
});
