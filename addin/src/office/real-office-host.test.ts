import { describe, expect, it } from '@jest/globals';
import type { OfficeStatic } from './office-js-types.js';
import { realOfficeHost } from './real-office-host.js';

/** A small in-memory Office.js mailbox that, like Outlook, takes one handler per event type. */
function fakeOutlook() {
  const handlers = new Map<string, () => void>();
  const refused: string[] = [];
  const office = {
    context: {
      officeTheme: { isDarkTheme: false },
      mailbox: {
        item: null,
        userProfile: { emailAddress: 'me@contoso.test', displayName: 'Me' },
        addHandlerAsync(type: string, handler: () => void) {
          if (handlers.has(type)) refused.push(type);
          else handlers.set(type, handler);
        },
      },
      requirements: { isSetSupported: () => true },
    },
    EventType: { ItemChanged: 'olkItemSelectedChanged', RecipientsChanged: 'olkRecipientsChanged', OfficeThemeChanged: 'officeThemeChanged' },
    HostType: {},
    CoercionType: { Text: 'text' },
    onReady: async () => ({ host: 'Outlook', platform: 'PC' }),
  };
  return {
    office: office as unknown as OfficeStatic,
    refused,
    darken() {
      office.context.officeTheme.isDarkTheme = true;
      handlers.get('officeThemeChanged')?.();
    },
  };
}

describe('realOfficeHost', () => {
  it('registers one theme handler for the page and tells every listener until it lets go', () => {
    const outlook = fakeOutlook();
    const host = realOfficeHost(outlook.office, 'Outlook');
    const heard: string[] = [];
    const offA = host.onThemeChanged((t) => heard.push(`a:${t.isDark}`));
    host.onThemeChanged((t) => heard.push(`b:${t.isDark}`));
    offA();
    outlook.darken();
    expect(heard).toEqual(['b:true']);
    expect(outlook.refused).toEqual([]);
  });
});
