import { describe, expect, it } from '@jest/globals';
import { renderToStaticMarkup } from 'react-dom/server';
import { MarkdownLite, parseMarkdownLite, safeHref } from './markdown-lite.js';

const html = (text: string) => renderToStaticMarkup(<MarkdownLite text={text} />);

describe('Markdown-lite', () => {
  it('renders bold, italics, code and line breaks', () => {
    expect(html('**bold** and *it* and _also_ and `a < b`\nnext')).toBe(
      '<strong>bold</strong> and <em>it</em> and <em>also</em> and <code style="font-family:Consolas, ui-monospace, monospace;font-size:0.92em;padding:0 3px;border-radius:3px;background:rgba(127,127,127,0.15)">a &lt; b</code><br/>next',
    );
    expect(html('**bold with *nested* italics**')).toBe('<strong>bold with <em>nested</em> italics</strong>');
  });

  it('keeps HTML as text: nothing in a message becomes an element', () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    expect(html(evil)).toBe('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html('**<b>x</b>**')).toBe('<strong>&lt;b&gt;x&lt;/b&gt;</strong>');
  });

  it('makes only http, https and mailto links; others stay as typed', () => {
    expect(html('[docs](https://example.com/a?b=1&c=2)')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(html('[mail](mailto:a@b.example)')).toContain('href="mailto:a@b.example"');
    for (const bad of ['[x](javascript:alert(1))', '[x](JavaScript:alert(1))', '[x](data:text/html,hi)', '[x](/relative)', '[x](vbscript:msgbox)']) {
      expect(html(bad)).not.toContain('<a');
    }
    expect(html('see https://example.com/page.')).toBe(
      'see <a href="https://example.com/page" target="_blank" rel="noopener noreferrer nofollow">https://example.com/page</a>.',
    );
    expect(safeHref(' javascript:alert(1)')).toBeNull();
  });

  it('leaves snake_case and lone markers alone', () => {
    expect(parseMarkdownLite('snake_case_name and 2 * 3 * 4')).toEqual([{ kind: 'text', text: 'snake_case_name and 2 * 3 * 4' }]);
  });
});
