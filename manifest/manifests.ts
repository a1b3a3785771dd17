import { el, document, type XmlNode } from './xml.js';

export interface ManifestOptions {
  /** Origin (and optional path prefix) the panes are served from, e.g. https://presence.contoso.com */
  readonly baseUrl: string;
  readonly outlookId: string;
  readonly wordId: string;
  /** n.n.n.n */
  readonly version: string;
  readonly providerName: string;
  readonly displayName: string;
}

/** Stable ids of this product's add-ins; an organisation may pass its own to `npm run manifest`. */
export const DEFAULT_MANIFEST_OPTIONS: Omit<ManifestOptions, 'baseUrl'> = Object.freeze({
  outlookId: '6f1c2c7e-4b7a-4a5e-9b1d-3a2f5c8e9d01',
  wordId: '0b8e4f2d-7c3a-4e61-a5d9-8f2b6c1e3a47',
  version: '1.0.0.0',
  providerName: 'Office Presence',
  displayName: 'Office Presence',
});

const NS = {
  officeApp: 'http://schemas.microsoft.com/office/appforoffice/1.1',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  bt: 'http://schemas.microsoft.com/office/officeappbasictypes/1.0',
  mailOr: 'http://schemas.microsoft.com/office/mailappversionoverrides',
  mailOr11: 'http://schemas.microsoft.com/office/mailappversionoverrides/1.1',
  taskpaneOr: 'http://schemas.microsoft.com/office/taskpaneappversionoverrides',
};

const DESCRIPTION = 'See who is available, read their contact card and out-of-office note, and chat with them without leaving Office.';

function urls(baseUrl: string) {
  const b = baseUrl.replace(/\/+$/, '');
  return {
    origin: new URL(b).origin,
    outlook: `${b}/addin/outlook.html`,
    word: `${b}/addin/word.html`,
    icon: (size: number) => `${b}/addin/icons/icon-${size}.png`,
    support: `${b}/demo/`,
  };
}

/** Elements every OfficeApp starts with, in the schema's order (Id … Hosts). */
function head(o: ManifestOptions, id: string, hostName: string): XmlNode[] {
  const u = urls(o.baseUrl);
  return [
    el('Id', {}, id),
    el('Version', {}, o.version),
    el('ProviderName', {}, o.providerName),
    el('DefaultLocale', {}, 'en-US'),
    el('DisplayName', { DefaultValue: o.displayName }),
    el('Description', { DefaultValue: DESCRIPTION }),
    el('IconUrl', { DefaultValue: u.icon(64) }),
    el('HighResolutionIconUrl', { DefaultValue: u.icon(128) }),
    el('SupportUrl', { DefaultValue: u.support }),
    el('AppDomains', {}, el('AppDomain', {}, u.origin)),
    el('Hosts', {}, el('Host', { Name: hostName })),
  ];
}

const icon = (resid16: string, resid32: string, resid80: string) =>
  el(
    'Icon',
    {},
    el('bt:Image', { size: '16', resid: resid16 }),
    el('bt:Image', { size: '32', resid: resid32 }),
    el('bt:Image', { size: '80', resid: resid80 }),
  );

function resources(o: ManifestOptions, paneUrlId: string, paneUrl: string): XmlNode {
  const u = urls(o.baseUrl);
  return el(
    'Resources',
    {},
    el(
      'bt:Images',
      {},
      el('bt:Image', { id: 'Icon.16x16', DefaultValue: u.icon(16) }),
      el('bt:Image', { id: 'Icon.32x32', DefaultValue: u.icon(32) }),
      el('bt:Image', { id: 'Icon.80x80', DefaultValue: u.icon(80) }),
    ),
    el('bt:Urls', {}, el('bt:Url', { id: paneUrlId, DefaultValue: paneUrl }), el('bt:Url', { id: 'Help.Url', DefaultValue: u.support })),
    el(
      'bt:ShortStrings',
      {},
      el('bt:String', { id: 'Group.Label', DefaultValue: 'Presence' }),
      el('bt:String', { id: 'Pane.Label', DefaultValue: 'People & chat' }),
      el('bt:String', { id: 'Pane.Title', DefaultValue: 'Office Presence' }),
    ),
    el(
      'bt:LongStrings',
      {},
      el('bt:String', { id: 'Pane.Tooltip', DefaultValue: 'Show who is available, their contact cards, and chat.' }),
      el('bt:String', { id: 'GetStarted.Desc', DefaultValue: 'Open Office Presence from the Home tab to see who else is in this document.' }),
    ),
  );
}

function mailSurface(type: 'MessageReadCommandSurface' | 'MessageComposeCommandSurface', groupId: string, buttonId: string): XmlNode {
  return el(
    'ExtensionPoint',
    { 'xsi:type': type },
    el(
      'OfficeTab',
      { id: 'TabDefault' },
      el(
        'Group',
        { id: groupId },
        el('Label', { resid: 'Group.Label' }),
        el(
          'Control',
          { 'xsi:type': 'Button', id: buttonId },
          el('Label', { resid: 'Pane.Label' }),
          el('Supertip', {}, el('Title', { resid: 'Pane.Title' }), el('Description', { resid: 'Pane.Tooltip' })),
          icon('Icon.16x16', 'Icon.32x32', 'Icon.80x80'),
          el('Action', { 'xsi:type': 'ShowTaskpane' }, el('SourceLocation', { resid: 'Outlook.Url' }), el('SupportsPinning', {}, 'true')),
        ),
      ),
    ),
  );
}

/** Outlook (MailApp): read and compose surfaces, pinnable task pane, ReadItem permission. */
export function outlookManifest(o: ManifestOptions): string {
  const u = urls(o.baseUrl);
  const root = el(
    'OfficeApp',
    { xmlns: NS.officeApp, 'xmlns:xsi': NS.xsi, 'xmlns:bt': NS.bt, 'xmlns:mailappor': NS.mailOr, 'xsi:type': 'MailApp' },
    ...head(o, o.outlookId, 'Mailbox'),
    el('Requirements', {}, el('Sets', {}, el('Set', { Name: 'Mailbox', MinVersion: '1.1' }))),
    el(
      'FormSettings',
      {},
      el('Form', { 'xsi:type': 'ItemRead' }, el('DesktopSettings', {}, el('SourceLocation', { DefaultValue: u.outlook }), el('RequestedHeight', {}, '250'))),
      el('Form', { 'xsi:type': 'ItemEdit' }, el('DesktopSettings', {}, el('SourceLocation', { DefaultValue: u.outlook }))),
    ),
    el('Permissions', {}, 'ReadItem'),
    el(
      'Rule',
      { 'xsi:type': 'RuleCollection', Mode: 'Or' },
      el('Rule', { 'xsi:type': 'ItemIs', ItemType: 'Message', FormType: 'Read' }),
      el('Rule', { 'xsi:type': 'ItemIs', ItemType: 'Message', FormType: 'Edit' }),
    ),
    el('DisableEntityHighlighting', {}, 'false'),
    el(
      'VersionOverrides',
      { xmlns: NS.mailOr, 'xsi:type': 'VersionOverridesV1_0' },
      el(
        'VersionOverrides',
        { xmlns: NS.mailOr11, 'xsi:type': 'VersionOverridesV1_1' },
        // Pinning and ItemChanged need Mailbox 1.5; older clients fall back to the 1.0 form settings.
        el('Requirements', {}, el('bt:Sets', { DefaultMinVersion: '1.5' }, el('bt:Set', { Name: 'Mailbox' }))),
        el(
          'Hosts',
          {},
          el(
            'Host',
            { 'xsi:type': 'MailHost' },
            el(
              'DesktopFormFactor',
              {},
              mailSurface('MessageReadCommandSurface', 'msgReadGroup', 'msgReadOpenPane'),
              mailSurface('MessageComposeCommandSurface', 'msgComposeGroup', 'msgComposeOpenPane'),
            ),
          ),
        ),
        resources(o, 'Outlook.Url', u.outlook),
      ),
    ),
  );
  return document(root);
}

/** Word (TaskPaneApp): a Home-tab button that opens the co-authoring pane. */
export function wordManifest(o: ManifestOptions): string {
  const u = urls(o.baseUrl);
  const root = el(
    'OfficeApp',
    { xmlns: NS.officeApp, 'xmlns:xsi': NS.xsi, 'xmlns:bt': NS.bt, 'xmlns:ov': NS.taskpaneOr, 'xsi:type': 'TaskPaneApp' },
    ...head(o, o.wordId, 'Document'),
    el('DefaultSettings', {}, el('SourceLocation', { DefaultValue: u.word })),
    el('Permissions', {}, 'ReadWriteDocument'),
    el(
      'VersionOverrides',
      { xmlns: NS.taskpaneOr, 'xsi:type': 'VersionOverridesV1_0' },
      el(
        'Hosts',
        {},
        el(
          'Host',
          { 'xsi:type': 'Document' },
          el(
            'DesktopFormFactor',
            {},
            el(
              'GetStarted',
              {},
              el('Title', { resid: 'Pane.Title' }),
              el('Description', { resid: 'GetStarted.Desc' }),
              el('LearnMoreUrl', { resid: 'Help.Url' }),
            ),
            el(
              'ExtensionPoint',
              { 'xsi:type': 'PrimaryCommandSurface' },
              el(
                'OfficeTab',
                { id: 'TabHome' },
                el(
                  'Group',
                  { id: 'presenceGroup' },
                  el('Label', { resid: 'Group.Label' }),
                  icon('Icon.16x16', 'Icon.32x32', 'Icon.80x80'),
                  el(
                    'Control',
                    { 'xsi:type': 'Button', id: 'openPresencePane' },
                    el('Label', { resid: 'Pane.Label' }),
                    el('Supertip', {}, el('Title', { resid: 'Pane.Title' }), el('Description', { resid: 'Pane.Tooltip' })),
                    icon('Icon.16x16', 'Icon.32x32', 'Icon.80x80'),
                    el('Action', { 'xsi:type': 'ShowTaskpane' }, el('TaskpaneId', {}, 'OfficePresencePane'), el('SourceLocation', { resid: 'Word.Url' })),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      resources(o, 'Word.Url', u.word),
    ),
  );
  return document(root);
}
